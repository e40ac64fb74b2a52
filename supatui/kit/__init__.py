"""The offline kit: build once online, then the walkthrough needs only the kit (a folder or the room's server).

- :mod:`supatui.kit.build`: ``build_kit`` (npm packages, Prisma engines, wheels, manifest)
- :mod:`supatui.kit.server`: ``make_server`` (engine mirror, npm registry view, pip index)
- :mod:`supatui.kit.use`: ``using_kit`` / ``kit_session`` / ``environment_for`` (the overrides for children)
"""
