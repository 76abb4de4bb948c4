from onward.cli.entry import main

main()
