import sys

from embedder_train.cli import main

sys.exit(main())
