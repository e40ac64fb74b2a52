"""Step 2: create the Node project: package.json, the guide's installs, TypeScript, ``prisma init``.

A folder may already hold a project. Nothing there is overwritten: only missing pieces are
added, and any file a command or we change is backed up first (files.py).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from supatui.core import npmcache, packagemanager
from supatui.core import state as saved_state
from supatui.core.context import PACKAGE_MANAGERS, StepContext
from supatui.core.early import Early
from supatui.core.errors import Cancelled, StepFailed
from supatui.core.events import Emit, Event, EventKind
from supatui.core.files import Snapshot, atomic_write, backup, plan_write, read_text, remember_written, write_file
from supatui.core.inputs import PACKAGE_MANAGER, PRISMA_MAJOR, PROJECT_DIR
from supatui.core.plan import Action, Check, Plan
from supatui.core.prisma import templates
from supatui.core.prisma.recipes import INIT_ARGS, SUPPORTED_MAJORS, config_path, installed_major
from supatui.core.prisma.workspace import Workspace, judged, run_checked, workspace
from supatui.core.result import StepResult
from supatui.core.runner import CancelToken, CommandResult, run_command
from supatui.core.steps.base import Step

STEP = "project"
INIT_NOTE = "prisma init ran alongside tsc --init (--yes; they write different files); its output:"
EARLY_NOTE = ("Started at once (--yes): package.json and the install need no database, so they ran alongside "
              "supatui's start-up (the sandbox's too) and step 1; their output:")


@dataclass(frozen=True)
class Install:
    argv: tuple[str, ...]
    specs: tuple[str, ...]  # declared and in node_modules afterwards, or the step fails
    what: str


@dataclass(frozen=True)
class ProjectDecision:
    ws: Workspace  # the folder, the package manager and the Prisma recipe (chosen once, here)
    has_package_json: bool  # kept as is (only missing packages are added, backup first)
    declare_dev: tuple[str, ...]  # listed in the fresh package.json's devDependencies before the one add
    installs: tuple[Install, ...]  # the package-manager commands, in order (plan and run share them)
    needs_tsconfig: bool


class ProjectStep(Step[ProjectDecision]):
    id: ClassVar[str] = STEP
    inputs = (PROJECT_DIR, PACKAGE_MANAGER, PRISMA_MAJOR)
    title: ClassVar[str] = "Create the Prisma project"
    why: ClassVar[str] = ("A Node project with the Prisma CLI, the client and its PostgreSQL adapter, and Prisma's "
                          "schema and config files: the guide's step 2.")

    def validate(self, ctx: StepContext) -> dict[str, str]:
        errors: dict[str, str] = {}
        cfg = ctx.config
        if cfg.package_manager not in PACKAGE_MANAGERS:
            errors["package_manager"] = f"Choose one of {', '.join(PACKAGE_MANAGERS)} (not {cfg.package_manager!r})."
        elif cfg.package_manager not in packagemanager.available():
            errors["package_manager"] = f"{cfg.package_manager} cannot run here: install Node.js (npm, npx) first."
        if cfg.prisma_major is not None and cfg.prisma_major not in SUPPORTED_MAJORS:
            errors["prisma_major"] = "Prisma 6 or 7 (default: the latest, 7)."
        project_dir = Path(cfg.project_dir).expanduser()
        if project_dir.exists() and not project_dir.is_dir():
            errors["project_dir"] = f"{project_dir} is a file, not a folder."
        return errors

    def start_early(self, ctx: StepContext) -> bool:
        """With --yes: run package.json and the install now, before step 1 (they need no database); this
        step claims them when its turn comes. Not for a finished project or one that needs no install."""
        if not ctx.early.enabled or self.validate(ctx) or self.detect(ctx):
            return False
        decision = self.decide(ctx)
        if not decision.installs:
            return False

        def work(emit: Emit, cancel: CancelToken) -> None:
            self._prepare(decision, emit, cancel, undo_if_cancelled=True)

        if ctx.early.start(STEP, work, note=EARLY_NOTE, decision=decision) is None:
            return False
        if decision.ws.dir.is_dir():  # until claimed and done, never taken as done (walkthrough.py)
            saved_state.mark_step(decision.ws.dir, STEP, "running")
        return True

    def decide(self, ctx: StepContext) -> ProjectDecision:
        early = ctx.early.get(STEP)
        if early is not None and isinstance(early.decision, ProjectDecision):
            return early.decision  # decided when the early install started: the plan shows what runs
        ws = workspace(ctx)
        has_package_json = (ws.dir / "package.json").exists()
        declare_dev, installs = choose_installs(ws, fresh=not has_package_json)
        if installs:  # the install puts them into node_modules/.bin before they run
            ws = replace(ws, local_tools=ws.local_tools | {"prisma", "tsc"})
        return ProjectDecision(ws, has_package_json, declare_dev, installs, not (ws.dir / "tsconfig.json").exists())

    def plan_for(self, ctx: StepContext, decision: ProjectDecision) -> Plan:
        ws = decision.ws
        plan = Plan(STEP)
        recipe, pm = ws.recipe, ws.pm
        via = " (run through npx)" if pm.via_npx else ""
        plan.notes.append(f"Prisma {recipe.major} recipe with {pm.name}{via}.")
        if decision.has_package_json:
            plan.notes.append("package.json exists: it is kept; only missing packages are added (backup first).")
        else:
            plan.actions.append(ws.action(pm.init(), "create package.json"))
        if decision.declare_dev:
            names = ", ".join(map(packagemanager.package_name, decision.declare_dev))
            plan.notes.append(f"package.json: {names} are first listed in devDependencies, so one {pm.name} "
                              "install resolves everything and keeps them there (the guide runs three installs: "
                              "dev tools, client, adapter).")
        plan.actions.extend(ws.action(install.argv, install.what) for install in decision.installs)
        if ctx.early.get(STEP) is not None:
            plan.notes.append("--yes: package.json and the install started before step 1 (they need no database); "
                              "their output follows under this step.")
        if decision.needs_tsconfig:
            plan.actions.append(ws.action(ws.tool("tsc", "--init"), "create tsconfig.json"))
        plan.actions.extend(self._file_actions(ws, ctx))
        return plan

    def _file_actions(self, ws: Workspace, ctx: StepContext) -> list[Action]:
        d, recipe = ws.dir, ws.recipe
        actions: list[Action] = []
        transaction = ctx.config.mode == "transaction"
        if recipe.runs_init and not (d / "prisma").exists():
            actions.append(ws.action(ws.prisma(*INIT_ARGS),
                                     "create prisma/schema.prisma, .gitignore and a placeholder .env"))
        elif not ws.schema.exists():
            actions.append(plan_write(ws.schema, templates.schema_head(recipe.major, transaction), "the Prisma schema"))
        if recipe.config_file:
            existing = config_path(d)
            if existing is None or not templates.config_is_usable(read_text(existing) or ""):
                target = existing if existing and (d / "prisma").exists() else d / recipe.config_file
                actions.append(plan_write(target, templates.CONFIG_TS, "the Prisma config (loads .env, CLI URL)"))
        if not recipe.runs_init:
            gitignore = d / ".gitignore"
            text = templates.gitignore(read_text(gitignore))
            if text != (read_text(gitignore) or ""):
                actions.append(plan_write(gitignore, text, "keep .env and node_modules out of git"))
        return actions

    def run_for(self, ctx: StepContext, emit: Emit, decision: ProjectDecision) -> StepResult:
        ws = decision.ws
        d = ws.dir
        early = ctx.early.take(STEP)
        if early is not None and early.decision is decision:
            early.claim(emit, ctx.cancel)  # its failure is this step's, raised here
        else:
            if early is not None:
                early.abandon(emit, "the project changed since the early install started")
            self._prepare(decision, emit, ctx.cancel)

        def tsc_init() -> None:
            if not _run(ws, ctx, emit, ws.tool("tsc", "--init")):
                emit(Event(STEP, EventKind.WARNING, "tsc --init failed; tsconfig.json is optional for tsx, continuing."))

        tsc = tsc_init if decision.needs_tsconfig and not (d / "tsconfig.json").exists() else None
        if ws.recipe.runs_init:
            self._prisma7_files(ws, ctx, emit, before_init=tsc)
        else:
            if tsc is not None:
                tsc()
            self._prisma6_files(ws, ctx, emit)
        return StepResult(STEP)

    def _prepare(self, decision: ProjectDecision, emit: Emit, cancel: CancelToken, *,
                 undo_if_cancelled: bool = False) -> None:
        """package.json and the install: the part of the step that needs no database (early with --yes)."""
        ws = decision.ws
        d = ws.dir
        d.mkdir(parents=True, exist_ok=True)
        new = [d / name for name in ("package.json", "package-lock.json", "node_modules") if not (d / name).exists()]
        try:
            if not decision.has_package_json:
                result = run_command(ws.pm.init(), cwd=d, step=STEP, emit=emit, env=ws.pm.env or None, cancel=cancel)
                judged(result, STEP, what="Creating package.json", hint="Check that Node.js and npm work (supatui doctor).")
                if not (d / "package.json").exists():
                    raise StepFailed(STEP, f"{ws.pm.name} init did not create package.json.",
                                     "Create it with `npm init -y`.")
            if decision.declare_dev:
                _declare_dev(d / "package.json", decision.declare_dev, emit)
            self._install(ws, cancel, emit, decision)
        except Cancelled:
            if undo_if_cancelled:  # stopped before its step ran: leave the folder as step 2 would find it
                gone = [path for path in new if path.exists()]
                for path in gone:
                    if path.is_dir():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
                if gone:
                    emit(Event(STEP, EventKind.INFO, "removed what the stopped install had created: "
                               + ", ".join(path.name for path in gone)))
            raise

    def _install(self, ws: Workspace, cancel: CancelToken, emit: Emit, decision: ProjectDecision) -> None:
        d, pm = ws.dir, ws.pm
        snapshot = Snapshot(d / "package.json") if decision.has_package_json else None
        try:
            for install in decision.installs:
                result = run_install(ws, install, emit, cancel)
                if not pm.install_succeeded(result.returncode, d, install.specs):
                    still = ", ".join(packagemanager.missing_packages(d, install.specs)) or "none"
                    raise StepFailed(STEP, f"{pm.name} could not install {', '.join(install.specs)} "
                                     f"(exit {result.returncode}; missing: {still}).",
                                     "Check the network/registry access of npm (npm config get registry), then run again.",
                                     output="\n".join(result.output[-25:]), code="install")
                if result.returncode != 0:
                    emit(Event(STEP, EventKind.WARNING, f"{pm.name} exited {result.returncode} (ignored build scripts), "
                               "but every package is in node_modules: continuing."))
        finally:
            if snapshot is not None:
                snapshot.settle(step=STEP, emit=emit)
        major = installed_major(d)
        if major != ws.recipe.major:
            raise StepFailed(STEP, f"node_modules has Prisma {major}, but the Prisma {ws.recipe.major} recipe was chosen.",
                             f"Run with --prisma {major} to keep it, or install prisma@{ws.recipe.major}.",
                             code="prisma-major")

    def _prisma7_files(self, ws: Workspace, ctx: StepContext, emit: Emit, *,
                       before_init: Callable[[], None] | None = None) -> None:
        """``before_init`` (tsc --init) runs first; with --yes prisma init runs alongside it (different files)."""
        d = ws.dir
        created_by_init: set[str] = set()
        if not (d / "prisma").exists():
            snaps = [Snapshot(d / ".env"), Snapshot(d / ".gitignore")]
            before = {name for name in ("prisma7.config.ts", "prisma.config.ts", ".gitignore") if (d / name).exists()}
            argv, what = ws.prisma(*INIT_ARGS), "prisma init"
            hint = "See the output above; the folder is kept, run the step again when fixed."
            try:
                if not ctx.early.enabled or before_init is None:
                    if before_init is not None:
                        before_init()
                    run_checked(ws, ctx, emit, STEP, argv, what=what, hint=hint)
                else:
                    init = Early(STEP, lambda out, cancel: run_command(
                        argv, cwd=d, step=STEP, emit=out, env=ws.pm.env or None, cancel=cancel), note=INIT_NOTE)
                    try:
                        before_init()
                    except BaseException:
                        init.abandon(emit, "tsc --init was stopped")
                        raise
                    judged(init.claim(emit, ctx.cancel), STEP, what=what, hint=hint)
            finally:
                for snap in snaps:
                    snap.settle(step=STEP, emit=emit)
            created_by_init = {n for n in ("prisma7.config.ts", "prisma.config.ts", ".gitignore")
                               if (d / n).exists()} - before
        elif before_init is not None:
            before_init()
        if not ws.schema.exists():
            write_file(ws.schema, templates.SCHEMA7_HEAD, step=STEP, emit=emit, description="wrote")
        existing = config_path(d)
        # A usable prisma7.config.ts in a project that has its .gitignore is the user's own: kept. One left by an
        # interrupted init (no .gitignore yet) is not: the CLI would load it before prisma.config.ts.
        own = (existing is not None and existing.name not in created_by_init and (d / ".gitignore").exists()
               and templates.config_is_usable(read_text(existing) or ""))
        if (existing is not None and existing.name == "prisma7.config.ts" and not (d / "prisma.config.ts").exists()
                and not own):
            if existing.name in created_by_init:
                existing.unlink()  # init's from a second ago; the guide's name is prisma.config.ts
            else:  # left by an interrupted init: the CLI would load it before ours, so move it aside
                saved = backup(existing)
                existing.unlink()
                emit(Event(STEP, EventKind.FILE_WRITTEN, f"moved {existing.name} aside (kept as "
                           f"{saved.name if saved else '?'}): the CLI would load it instead of prisma.config.ts",
                           {"path": str(existing), "backup": str(saved) if saved else None}))
            emit(Event(STEP, EventKind.INFO, "prisma init wrote prisma7.config.ts; writing it as prisma.config.ts instead."))
            existing = None
        if existing is None:
            write_file(d / "prisma.config.ts", templates.CONFIG_TS, step=STEP, emit=emit, description="wrote")
        elif not templates.config_is_usable(read_text(existing) or ""):
            write_file(existing, templates.CONFIG_TS, step=STEP, emit=emit, description="rewrote")
        else:
            emit(Event(STEP, EventKind.INFO, f"Kept {existing.name}: it loads .env and reads the URL from it."))
        gitignore = d / ".gitignore"  # prisma init writes it, unless it was interrupted before
        text = templates.gitignore(read_text(gitignore))
        if text != (read_text(gitignore) or ""):
            if ".gitignore" in created_by_init:  # init's from a second ago: nothing of the user's to back up
                atomic_write(gitignore, text)
                remember_written(gitignore, None, text.encode("utf-8"))  # a later change in this run: no backup
                emit(Event(STEP, EventKind.FILE_WRITTEN, f"completed {gitignore} (written by prisma init)",
                           {"path": str(gitignore), "backup": None}))
            else:
                write_file(gitignore, text, step=STEP, emit=emit, description="wrote")

    def _prisma6_files(self, ws: Workspace, ctx: StepContext, emit: Emit) -> None:
        d = ws.dir
        if not ws.schema.exists():
            write_file(ws.schema, templates.schema6(ctx.config.mode == "transaction"), step=STEP, emit=emit,
                       description="wrote")
        gitignore = d / ".gitignore"
        text = templates.gitignore(read_text(gitignore))
        if text != (read_text(gitignore) or ""):
            write_file(gitignore, text, step=STEP, emit=emit, description="wrote")
        if config_path(d) is not None:
            emit(Event(STEP, EventKind.WARNING, "A prisma.config.ts exists: with it, Prisma 6 no longer loads .env "
                       "by itself; make sure it imports dotenv/config."))

    def is_done(self, ctx: StepContext) -> bool:
        return all(check.ok for check in self.verify(ctx))  # files only: package.json, node_modules, schema, config

    def verify(self, ctx: StepContext, result: StepResult | None = None) -> list[Check]:
        ws = workspace(ctx)
        d, recipe = ws.dir, ws.recipe
        checks = [Check("package.json", (d / "package.json").exists(), str(d / "package.json"))]
        major = installed_major(d)
        checks.append(Check("Prisma CLI installed", major == recipe.major,
                            f"node_modules/prisma: Prisma {major}" if major else "node_modules/prisma is missing"))
        missing = packagemanager.missing_packages(d, recipe.dev_packages + recipe.packages)
        detail = "missing: " + ", ".join(missing) if missing else "all present"
        checks.append(Check("packages installed", not missing, detail))
        checks.append(Check("prisma/schema.prisma", ws.schema.exists(), str(ws.schema)))
        if recipe.config_file:
            config = config_path(d)
            usable = config is not None and config.name == recipe.config_file \
                and templates.config_is_usable(read_text(config) or "")
            checks.append(Check("Prisma config", usable, f"{config.name} loads .env" if config and usable
                                else f"no {recipe.config_file} that imports dotenv/config"
                                + (f" ({config.name} instead: prisma init was interrupted?)" if config else "")))
        else:
            schema = read_text(ws.schema) or ""
            checks.append(Check("datasource url in schema", 'env("DATABASE_URL")' in schema,
                                'url = env("DATABASE_URL") in prisma/schema.prisma'))
        ignore = (read_text(d / ".gitignore") or "").split()
        listed = ".env" in ignore or "/.env" in ignore
        checks.append(Check(".gitignore keeps .env out of git", listed, ".env listed" if listed else
                            "missing: run step 2 again"))
        return checks


def choose_installs(ws: Workspace, *, fresh: bool) -> tuple[tuple[str, ...], tuple[Install, ...]]:
    """The dev tools to pre-declare, and the installs: one resolution for a fresh package.json.

    Only packages package.json does not declare are named (packagemanager.specs_to_name): an existing project
    keeps its own ranges. Declared ones missing from node_modules come with the add, or with a plain install.
    """
    d, pm, recipe = ws.dir, ws.pm, ws.recipe
    dev = packagemanager.specs_to_name(d, recipe.dev_packages)
    runtime = packagemanager.specs_to_name(d, recipe.packages)
    everything = recipe.dev_packages + recipe.packages
    offline = pm.name == "npm" and npmcache.fresh_metadata(map(packagemanager.package_name, dev + runtime), d)
    cached = "; npm's cache has today's metadata: --prefer-offline" if offline else ""
    if fresh and dev and runtime and pm.one_resolution:
        argv = pm.add([pm.predeclared(spec) for spec in dev] + runtime, prefer_offline=offline)
        return tuple(dev), (Install(argv, everything, "install the Prisma CLI, TypeScript tools, client and "
                                    f"adapter (one resolution{cached})"),)
    installs = [Install(argv, specs, what + cached) for argv, specs, what in (
        (pm.add(dev, dev=True, prefer_offline=offline), tuple(dev), "install the Prisma CLI and TypeScript tools"),
        (pm.add(runtime, prefer_offline=offline), tuple(runtime),
         "install the Prisma client and its PostgreSQL adapter")) if specs]
    if installs:
        installs[-1] = replace(installs[-1], specs=everything)  # declared-but-absent packages come with it
    elif packagemanager.missing_packages(d, everything):
        installs.append(Install(pm.install(), everything, "install the packages package.json declares"))
    return (), tuple(installs)


def run_install(ws: Workspace, install: Install, emit: Emit, cancel: CancelToken | None) -> CommandResult:
    """Run one install; one from npm's cache that needs a version the cache does not know runs again online."""
    d, pm = ws.dir, ws.pm
    result = run_command(install.argv, cwd=d, step=STEP, emit=emit, env=pm.env or None, cancel=cancel)
    if npmcache.PREFER_OFFLINE in install.argv and npmcache.stale_metadata(result.output) \
            and not pm.install_succeeded(result.returncode, d, install.specs):
        emit(Event(STEP, EventKind.INFO, "npm's cache does not know a version this install needs (ETARGET): the "
                   "same install again, asking the registry (no --prefer-offline)"))
        online = tuple(arg for arg in install.argv if arg != npmcache.PREFER_OFFLINE)
        result = run_command(online, cwd=d, step=STEP, emit=emit, env=pm.env or None, cancel=cancel)
    return result


def _declare_dev(package_json: Path, specs: tuple[str, ...], emit: Emit) -> None:
    """List ``specs`` in devDependencies (``*``, or the pinned major); the add then writes their caret ranges."""
    try:
        data = json.loads(package_json.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StepFailed(STEP, f"{package_json} cannot be read as JSON ({type(exc).__name__}).",
                         "Fix package.json (npm init -y writes a valid one), then run the step again.") from None
    if not isinstance(data, dict):
        raise StepFailed(STEP, f"{package_json} is not a JSON object.", "Fix package.json, then run the step again.")
    section = data.get("devDependencies")
    deps: dict[str, object] = dict(section) if isinstance(section, dict) else {}
    for spec in specs:
        name = packagemanager.package_name(spec)
        deps.setdefault(name, spec[len(name) + 1 :] or "*")
    data["devDependencies"] = deps
    atomic_write(package_json, json.dumps(data, indent=2) + "\n")
    emit(Event(STEP, EventKind.FILE_WRITTEN, f"listed {', '.join(deps)} in {package_json.name}'s devDependencies",
               {"path": str(package_json), "backup": None}))


def _run(ws: Workspace, ctx: StepContext, emit: Emit, argv: tuple[str, ...]) -> bool:
    return run_command(argv, cwd=ws.dir, step=STEP, emit=emit, env=ws.pm.env or None, cancel=ctx.cancel).ok
