from supatui.router.server import main

raise SystemExit(main())
