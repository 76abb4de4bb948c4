from onward.cli.root import main

main()
