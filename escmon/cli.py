"""The ``escmon`` command line: the only place where the stages are wired together."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from escmon import logs
from escmon.broker import LocalBroker
from escmon.errors import EXIT_RUNTIME, ConfigError, EscmonError
from escmon.settings import Settings, load_settings

logger = logging.getLogger(__name__)

DESCRIPTION = """\
escalation-monitor: watches news as it is published and alerts when a conflict escalates.

Flow: feeds and dropped files -> articles.raw -> spaCy tagger (Faust) -> articles.tagged
      -> alert rules (Faust) -> alerts -> console / webhooks / apprise / Alertmanager.

Configuration: a YAML file (--config, $ESCMON_CONFIG, else ./seeds/escmon.yaml) with
ESCMON_<SECTION>__<KEY> environment overrides, e.g. ESCMON_KAFKA__BOOTSTRAP=host:9092.

Exit codes: 0 done, 1 a failure at run time, 2 a configuration error (fix it; restarting will not
help), 130 interrupted. An error is one line on stderr; --debug adds the traceback.
"""

#: Set by ``escmon run`` for each stage it starts: the stage writes its one error line there, so
#: the supervisor can repeat it when it stops on that stage's configuration error.
ERROR_FILE_ENV = "ESCMON_ERROR_FILE"
DEBUG_ENV = "ESCMON_DEBUG"

EPILOG = """\
examples:
  escmon run                          # the whole pipeline on the embedded default
  escmon broker start|stop|status     # the local single-node Kafka (KRaft) broker
  escmon feed https://example.org/rss.xml   # preview the articles a feed gives
  escmon tag seeds/us-strikes-iran-linked-forces.txt
  escmon rules test seeds/rules.yaml tagged.jsonl
  escmon silence add --group 'theater:Middle East' --for 2h --reason "known story"
"""


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def _local_broker(settings: Settings) -> LocalBroker:
    b = settings.broker
    return LocalBroker(
        settings.state_dir,
        port=b.port,
        controller_port=b.controller_port,
        heap=b.heap,
        java=b.java,
    )


def cmd_broker(args: argparse.Namespace) -> int:
    """escmon broker start|stop|status."""
    settings = _settings(args)
    broker = _local_broker(settings)
    if args.action == "start":
        status = broker.start(timeout=settings.broker.start_timeout)
        print(f"broker running: pid {status.pid}, bootstrap {status.bootstrap}")
    elif args.action == "stop":
        stopped = broker.stop()
        print("broker stopped" if stopped else "broker was not running")
    elif args.action == "status":
        status = broker.status()
        state = f"running (pid {status.pid})" if status.running else "stopped"
        print(f"broker {state}; bootstrap {status.bootstrap}; data {status.state_dir}")
        return 0 if status.running else 3
    elif args.action == "log":
        print(broker.log_tail(args.lines))
    return 0


def cmd_topics(args: argparse.Namespace) -> int:
    """escmon topics: create the pipeline topics."""
    from escmon.topics import ensure_topics, topic_names

    settings = _settings(args)
    created = ensure_topics(settings)
    for name in topic_names(settings):
        print(f"{name}\t{'created' if name in created else 'exists'}")
    return 0


def check_config(settings: Settings) -> list[ConfigError]:
    """Everything ``escmon run`` checks before it starts anything (settings are valid already).

    Rules, templates, channel URLs and the spaCy pipeline, each checked by the stage that owns
    it; used by ``escmon run`` and ``escmon config check`` alike, so a check passed is a start
    that will not fail on configuration.
    """
    from alerts.preflight import check as check_alerts
    from processors.preflight import check as check_processors

    return [*check_alerts(settings), *check_processors(settings)]


def _report(problems: list[ConfigError]) -> None:
    for problem in problems:
        print(f"escmon: {problem.kind}: {problem}", file=sys.stderr)


def cmd_config(args: argparse.Namespace) -> int:
    """escmon config show|check."""
    settings = _settings(args)
    if args.action == "show":
        print(json.dumps(settings.masked(), indent=2))
        return 0
    problems = check_config(settings)
    if problems:
        _report(problems)
        return problems[0].exit_code
    print("config ok: settings, rules, templates, channels and the tagger pipeline")
    return 0


def cmd_producer(args: argparse.Namespace) -> int:
    """escmon producer: feeds and the inbox → articles.raw."""
    from escmon.settings import config_path
    from producers.service import run_producer

    return run_producer(_settings(args), once=args.once, config=config_path(args.config))


def cmd_worker(args: argparse.Namespace) -> int:
    """escmon worker: the Faust worker (tagging, then linking into events)."""
    from processors.app import run_worker

    settings = _settings(args)
    if args.port is not None:
        settings = settings.model_copy(
            update={"metrics": settings.metrics.model_copy(update={"worker_port": args.port})}
        )
    return run_worker(settings)


def cmd_notifier(args: argparse.Namespace) -> int:
    """escmon notifier: rules over articles.tagged and events, and delivery of alerts."""
    from alerts.app import run_notifier

    return run_notifier(_settings(args))


def cmd_run(args: argparse.Namespace) -> int:
    """escmon run: everything, as child processes."""
    from escmon.supervisor import run_all

    settings = _settings(args)
    # Before the broker or any stage: a stage failing on its configuration would only be
    # restarted into the same failure.
    problems = check_config(settings)
    if problems:
        _report(problems)
        return problems[0].exit_code
    return run_all(settings, config=args.config, keep_broker=args.keep_broker)


def cmd_feed(args: argparse.Namespace) -> int:
    """escmon feed SOURCE...: print the articles a feed or file gives, without Kafka."""
    from producers.feedcommand import feed_command

    return feed_command(args.sources, sys.stdout, sys.stderr, timeout=args.timeout)


def _model(args: argparse.Namespace) -> str | None:
    """The spaCy pipeline of --model, else of the config; None (the default) when neither says."""
    if args.model is not None:
        return str(args.model)
    try:
        return _settings(args).processors.model
    except ConfigError:
        # `escmon tag`/`events` work without any config file; a broken one only loses the model.
        return None


def cmd_tag(args: argparse.Namespace) -> int:
    """escmon tag: print TaggedArticle JSON for text or articles."""
    from processors.tagcommand import tag_command

    path = args.jsonl or args.file
    return tag_command(path, bool(args.jsonl), sys.stdout, sys.stderr, model=_model(args))


def cmd_events(args: argparse.Namespace) -> int:
    """escmon events: tag when needed, link a JSON-lines file and print the events."""
    from processors.eventscommand import events_command

    return events_command(args.file, sys.stdout, sys.stderr, model=_model(args))


def cmd_rules(args: argparse.Namespace) -> int:
    """escmon rules check|test."""
    from alerts.rulescommand import rules_check, rules_test

    if args.action == "check":
        return rules_check(args.rules, sys.stdout, sys.stderr)
    if not args.tagged:
        print("escmon rules test: needs RECORDS.jsonl (tagged articles or events)", file=sys.stderr)
        return 2
    return rules_test(args.rules, args.tagged, sys.stdout, sys.stderr, until=args.until)


def cmd_silence(args: argparse.Namespace) -> int:
    """escmon silence add|list|remove."""
    from alerts.silencecommand import silence_command

    return silence_command(
        _settings(args).state_dir,
        args.action,
        sys.stdout,
        sys.stderr,
        rule=args.rule,
        group=args.group,
        duration=args.duration,
        until=args.until,
        reason=args.reason,
        silence_id=args.id,
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used to render the README's CLI section)."""
    parser = argparse.ArgumentParser(
        prog="escmon",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-c",
        "--config",
        metavar="FILE",
        help="YAML config (env: ESCMON_CONFIG; default ./seeds/escmon.yaml when present)",
    )
    parser.add_argument(
        "--log-level", help="DEBUG, INFO, WARNING, ERROR (env: ESCMON_LOGGING__LEVEL)"
    )
    parser.add_argument("--log-json", action="store_true", help="JSON log lines on stderr")
    parser.add_argument(
        "--debug",
        action="store_true",
        default=os.environ.get(DEBUG_ENV, "") not in ("", "0"),
        help="print the traceback of an error, not only its one line (env: ESCMON_DEBUG=1; "
        "also at log level DEBUG)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(
        name: str, func: Callable[[argparse.Namespace], int], text: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=text, description=text)
        p.set_defaults(func=func)
        return p

    p = add("run", cmd_run, "run the whole pipeline (starts the local broker when configured)")
    p.add_argument(
        "--keep-broker", action="store_true", help="leave the local broker running on exit"
    )

    p = add("broker", cmd_broker, "start, stop or inspect the local single-node Kafka broker")
    p.add_argument("action", choices=["start", "stop", "status", "log"])
    p.add_argument("--lines", type=int, default=40, help="lines of log to show (log)")

    add("topics", cmd_topics, "create the pipeline topics on the configured cluster")

    p = add("config", cmd_config, "show the effective configuration (secrets masked) or check it")
    p.add_argument("action", choices=["show", "check"])

    p = add(
        "producer", cmd_producer, "run the producers: feeds and the inbox folder -> articles.raw"
    )
    p.add_argument("--once", action="store_true", help="read each source once, publish, exit")

    p = add("worker", cmd_worker, "run the Faust worker: articles.raw -> articles.tagged -> events")
    p.add_argument("--port", type=int, help="port for /metrics and health (default from config)")

    add("notifier", cmd_notifier, "run the alert stage: rules over articles/events, then delivery")

    p = add("feed", cmd_feed, "print the Article JSON lines a feed URL or file would give")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="feed URL or file path")
    p.add_argument("--timeout", type=float, default=20.0, help="HTTP timeout in seconds")

    p = add("tag", cmd_tag, "print the TaggedArticle JSON for a text or Article JSON")
    p.add_argument("file", nargs="?", default="-", help="text or Article JSON file, - for stdin")
    p.add_argument("--jsonl", metavar="FILE", help='lines of {"id","text"} or Articles')
    p.add_argument("--model", help="trained spaCy pipeline to use (default: config or blank:en)")

    p = add(
        "events",
        cmd_events,
        "tag (when needed) and link a JSON-lines file of articles in file order; print the "
        "final event/1 record of every event",
    )
    p.add_argument("file", help="lines of tagged/1, article/1 or {\"text\", ...}; - for stdin")
    p.add_argument("--model", help="trained spaCy pipeline to use (default: config or blank:en)")

    p = add("rules", cmd_rules, "validate rules, or replay tagged articles or events through them")
    p.add_argument("action", choices=["check", "test"])
    p.add_argument("rules", metavar="RULES.yaml")
    p.add_argument(
        "tagged",
        nargs="?",
        metavar="RECORDS.jsonl",
        help="test: tagged articles (escmon tag --jsonl) and/or event/1 records (escmon events)",
    )
    p.add_argument(
        "--until",
        metavar="TIME|end",
        help="test: let time run to this ISO time after the last article, or 'end' to close "
        "every window (resolved alerts show)",
    )

    p = add("silence", cmd_silence, "mute a rule and/or group until a time; list or remove")
    p.add_argument("action", choices=["add", "list", "remove"])
    p.add_argument("id", nargs="?", help="remove: the silence id shown by list")
    p.add_argument("--rule", help="add: rule name to mute (default: every rule)")
    p.add_argument("--group", help="add: group to mute, e.g. 'theater:Middle East'")
    p.add_argument("--for", dest="duration", metavar="DURATION", help="add: e.g. 30m, 2h, 1d")
    p.add_argument("--until", metavar="TIME", help="add: ISO time with timezone")
    p.add_argument("--reason", default="", help="add: why (shown by list)")
    return parser


def _fail(exc: BaseException, debug: bool) -> int:
    """The one place an error ends a command: one line on stderr, the exit code of its kind."""
    if isinstance(exc, EscmonError):
        line = f"escmon: {exc.kind}: {exc}"
        code = exc.exit_code
    else:
        # Not raised on purpose: a bug or a library failure nobody translated. Still one line,
        # with the way to the traceback, which is what a bug report needs.
        hint = "" if debug else " (--debug shows the traceback)"
        line = f"escmon: unexpected error: {type(exc).__name__}: {exc}{hint}"
        code = EXIT_RUNTIME
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    print(line, file=sys.stderr, flush=True)
    error_file = os.environ.get(ERROR_FILE_ENV)
    if error_file:
        try:
            Path(error_file).write_text(line + "\n", encoding="utf-8")
        except OSError:
            pass  # the line is on stderr anyway
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``escmon`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = args.log_level or "INFO"
    json_logs = args.log_json
    debug = bool(args.debug) or level.upper() == "DEBUG"
    if args.debug:
        # The stages `escmon run` starts inherit the environment, and with it --debug.
        os.environ[DEBUG_ENV] = "1"
    try:
        secrets: set[str] = set()
        if args.command not in {"tag", "feed", "rules", "events"}:
            settings = load_settings(args.config)
            level = args.log_level or settings.logging.level
            json_logs = json_logs or settings.logging.json_format
            debug = debug or level.upper() == "DEBUG"
            secrets = settings.secrets()
        logs.configure(level, json_logs, process=f"escmon-{args.command}", secrets=secrets)
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI's single catch: one line and an exit code
        return _fail(exc, debug)


if __name__ == "__main__":
    sys.exit(main())
