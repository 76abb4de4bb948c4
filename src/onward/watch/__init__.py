"""`onward watch`: be there when the mail lands.

`plan` decides (pure: settings, backoff, what a failure means, what to say); `imap` and
`paths` wait for mail (IDLE, polling, file events); `wake` runs the existing incremental
scan and acts on what it stored; `runner` ties the accounts together and stops cleanly.
"""
