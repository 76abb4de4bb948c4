"""The `onward` command line: one module per command group, each a thin layer over the services.

`root` builds the app from the groups and is the entry point (`onward.cli.root:main`)."""
