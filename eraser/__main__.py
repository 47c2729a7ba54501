from eraser.cli import main

main()
