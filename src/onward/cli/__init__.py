"""The `onward` command line: one module per command group, each a thin layer over the services.

`root` builds the app from the groups; `entry` is the entry point (`onward.cli.entry:main`),
which answers a rescan with nothing new before the app is built (`quick`)."""
