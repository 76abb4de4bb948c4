"""The errors a person may see: each carries one plain sentence, never a traceback."""

from onward.actions.archive import UndoError
from onward.actions.checkin import CheckinError
from onward.actions.drafts import DraftError
from onward.classify.errors import LabelError, ModelError
from onward.config import ConfigError
from onward.mail.movers import MoveError
from onward.mail.sources import SourceError
from onward.secrets import SecretError
from onward.store import StoreError
from onward.store.checkins import CheckinTaken
from onward.tracker.repo import TrackerError
from onward.tracker.transfer import ImportError_

USER_ERRORS = (
    ConfigError,
    SourceError,
    SecretError,
    StoreError,
    ModelError,
    LabelError,
    TrackerError,
    ImportError_,
    MoveError,
    UndoError,
    DraftError,
    CheckinError,
    CheckinTaken,
)
