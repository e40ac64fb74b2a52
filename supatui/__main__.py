from supatui.cli import main

raise SystemExit(main())
