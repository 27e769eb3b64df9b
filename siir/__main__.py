from siir.cli import main

main()
