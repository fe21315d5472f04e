"""`python -m fusehub.model.datagen`: see `fusehub.model.datagen.cli`."""

from fusehub.model.datagen.cli import main

main()
