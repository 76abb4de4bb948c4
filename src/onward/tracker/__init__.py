"""The application tracker: applications built from job mail and from what the person enters."""
