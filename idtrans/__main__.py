from idtrans.cli import main

main()
