"""Issue 6: every file of the hostile corpus through ``reader dump`` and through the TUI.

``tests/fixtures/hostile/`` is written byte-exact by ``tests/support/make_corpus.py`` (a copy
of ``../shared/hostile/make_corpus.py``); MANIFEST.md there says what each case expects.
Every dump runs in its own process with an address-space cap, a timeout and a measured peak
RSS, so a bomb that gets through fails the test instead of the machine. The dumps run
concurrently once per session and each case then checks its own result.

No network: the child's HTTP(S) proxy points at a closed loopback port, so a feed URL that
an OPML file lists fails at once instead of reaching the internet.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.isolated import AS_LIMIT, Run, isolated_env, run_limited
from support.paths import FIXTURES, ROOT, SUPPORT

CORPUS = FIXTURES / "hostile"
CORPUS_FILES = sorted(
    p.name
    for p in CORPUS.iterdir()
    if p.is_file() and not p.name.startswith(".") and p.name != "MANIFEST.md"
)

TIME_BUDGET = 5.0  # seconds per small case (issue 6)
RSS_BUDGET_KB = 200 * 1024  # peak resident memory per small case

# C0 except TAB and LF, DEL, C1 — as text, and as the UTF-8 bytes of the C1 range.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ESC = "\x1b"


# --------------------------------------------------------------------------- running


def reader_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "reader", *args]


# A warm runner: one process imports the reader once, then forks a child per case, which
# runs exactly what ``python -m reader ARGS`` runs (reader.cli.main) with its own files for
# stdin/stdout/stderr, its own environment, the address-space cap and a timeout; wait4 gives
# each child's own CPU time and peak RSS. It saves the ~0.4 s of interpreter start and
# imports per case, which is most of the cost of a small case.
RUNNER = r"""
import io, json, os, resource, signal, sys, time, traceback
AS_LIMIT = int(sys.argv[1])
import reader.cli, reader.cli.dump, reader.ingest.load  # noqa: E401 - warm imports
protocol_in, protocol_out = sys.stdin, sys.stdout
for line in protocol_in:
    job = json.loads(line)
    fds = [os.open(job["stdin"] or os.devnull, os.O_RDONLY),
           os.open(job["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
           os.open(job["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)]
    protocol_out.flush()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setsid()
            resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
            sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)),
                                         encoding="utf-8")
            sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)),
                                          encoding="utf-8")
            sys.stderr = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
                                          encoding="utf-8", line_buffering=True)
            os.environ.clear()
            os.environ.update(job["env"])
            os.chdir(job["cwd"])
            sys.argv = ["reader", *job["argv"]]
            try:
                result = reader.cli.main(job["argv"])
                code = 0 if result is None else result
            except SystemExit as exit_:
                if isinstance(exit_.code, int) or exit_.code is None:
                    code = exit_.code or 0
                else:
                    print(exit_.code, file=sys.stderr)
                    code = 1
            except BaseException:
                traceback.print_exc()
                code = 1
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:
                    pass
        finally:
            os._exit(code)
    for fd in fds:
        os.close(fd)
    timed_out = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > job["timeout"]:
            timed_out = True
            os.killpg(pid, signal.SIGKILL)
            done, status, usage = os.wait4(pid, 0)
            break
        time.sleep(0.005)
    protocol_out.write(json.dumps({
        "rc": os.waitstatus_to_exitcode(status), "wall": time.monotonic() - start,
        "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss, "timed_out": timed_out,
    }) + "\n")
    protocol_out.flush()
"""


class WarmRunner:
    """Runs ``reader ARGS`` cases in forked children of one warm process (see RUNNER)."""

    def __init__(self, scratch: Path, env: dict[str, str]) -> None:
        import threading

        self.scratch = scratch
        self.lock = threading.Lock()
        self.count = 0
        self.proc = subprocess.Popen(
            [sys.executable, "-c", RUNNER, str(AS_LIMIT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env=env,
            text=True,
            bufsize=1,
        )

    def run(
        self,
        argv: list[str],
        *,
        env: dict[str, str],
        timeout: float = 30.0,
        cwd: Path = ROOT,
        stdin: bytes | None = None,
    ) -> Run:
        with self.lock:
            self.count += 1
            base = self.scratch / f"job{self.count}"
            stdin_path = None
            if stdin is not None:
                stdin_path = base.with_suffix(".in")
                stdin_path.write_bytes(stdin)
            job = {
                "argv": argv,
                "env": env,
                "cwd": str(cwd),
                "timeout": timeout,
                "stdin": str(stdin_path) if stdin_path else None,
                "out": str(base.with_suffix(".out")),
                "err": str(base.with_suffix(".err")),
            }
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.flush()
            reply = self.proc.stdout.readline()
            if not reply:
                raise RuntimeError("the warm runner died")
            result = json.loads(reply)
            return Run(
                ["python", "-m", "reader", *argv],
                result["rc"],
                Path(job["out"]).read_bytes(),
                Path(job["err"]).read_bytes(),
                result["wall"],
                result["cpu"],
                result["rss"],
                result["timed_out"],
            )

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def runners(tmp_path_factory: pytest.TempPathFactory):
    """Two warm runners (the machine has few cores; more would only contend)."""
    made = [
        WarmRunner(
            tmp_path_factory.mktemp("runner"), isolated_env(tmp_path_factory.mktemp("rhome"))
        )
        for _ in range(2)
    ]
    yield made
    for runner in made:
        runner.close()


def run_many(
    runners: list[WarmRunner],
    jobs: list[tuple[object, list[str], dict[str, str]]],
    timeout: float = 30.0,
) -> dict[object, Run]:
    """Run ``(key, argv, env)`` jobs across the runners; results by key."""
    import queue
    import threading

    todo: queue.Queue = queue.Queue()
    for job in jobs:
        todo.put(job)
    results: dict[object, Run] = {}

    def work(runner: WarmRunner) -> None:
        while True:
            try:
                key, argv, env = todo.get_nowait()
            except queue.Empty:
                return
            results[key] = runner.run(argv, env=env, timeout=timeout)

    threads = [threading.Thread(target=work, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


# --------------------------------------------------------------------------- checks


def strings_in(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings_in(k)
            yield from strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)


def is_safe_url(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and url == url.strip()
        and not url.startswith("-")
        and not any(c.isspace() for c in url)
        and CONTROL.search(url) is None
    )


def check_common(run: Run, *, json_out: bool = True) -> list[dict]:
    """What every case must satisfy; returns the parsed articles (empty when none)."""
    assert not run.timed_out, f"hung: {run.describe()}"
    assert run.returncode in (0, 1), run.describe()
    assert b"Traceback" not in run.stderr, run.describe()
    out, err = run.out, run.err  # both must be UTF-8
    for where, text in (("stdout", out), ("stderr", err)):
        found = CONTROL.search(text)
        assert found is None, f"control {found.group()!r} in {where}: {run.describe()}"
    for line in err.splitlines():
        assert line.startswith("reader: "), f"stderr line not prefixed: {line!r}"
    assert "root:" not in out + err, "local file contents (/etc/passwd) leaked"
    assert run.cpu < TIME_BUDGET, f"too slow: {run.describe()}"
    assert run.maxrss_kb < RSS_BUDGET_KB, f"too much memory: {run.describe()}"
    if not json_out:
        return []
    if run.returncode == 1 and not out.strip():
        return []
    articles = json.loads(out)
    assert isinstance(articles, list)
    for article in articles:
        for text in strings_in(article):
            # json.dump escapes C0 as \u001b: the raw check cannot see them, this one does
            found = CONTROL.search(text)
            assert found is None, f"control {found.group()!r} in a JSON string {text!r}"
        url = article.get("url")
        assert url is None or is_safe_url(url), f"unsafe url field {url!r}"
        for field in ("title", "author"):
            assert article.get(field) is None or "\n" not in article[field]
        published = article.get("published")
        if published is not None:
            value = datetime.fromisoformat(published)
            aware = value if value.tzinfo else value.replace(tzinfo=UTC)
            assert (
                datetime(1970, 1, 1, tzinfo=UTC) <= aware <= datetime.now(UTC) + timedelta(days=3)
            )
    return articles


def titles(articles: list[dict]) -> list[str]:
    return [a["title"] for a in articles if a.get("title")]


def everything(articles: list[dict]) -> str:
    return "\n".join(s for a in articles for s in strings_in(a))


# --------------------------------------------------------------------------- the session's dumps

ESCAPE_CASES = " ".join(
    n
    for n in CORPUS_FILES
    if n.startswith(("feed-title", "article-", "feed-markup", "feed-javascript", "feed-html"))
)


@pytest.fixture(scope="session")
def dumps(runners, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Run]:
    """Every corpus file dumped as JSON, each in its own child; text and Markdown once each."""
    jobs: list[tuple[str, str]] = [(name, "json") for name in CORPUS_FILES]
    # the text and Markdown formats once each, over every escape and markup case together
    jobs += [(ESCAPE_CASES, "text"), (ESCAPE_CASES, "markdown")]
    return run_many(
        runners,
        [
            (
                (names, fmt),
                ["dump", "--format", fmt, *[str(CORPUS / n) for n in names.split()]],
                isolated_env(tmp_path_factory.mktemp("dump")),
            )
            for names, fmt in jobs
        ],
    )


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_dump_json_is_safe(dumps: dict[tuple[str, str], Run], name: str) -> None:
    check_common(dumps[(name, "json")])


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_dump_text_and_markdown_carry_no_controls(dumps, fmt: str) -> None:
    run = dumps[(ESCAPE_CASES, fmt)]
    check_common(run, json_out=False)
    assert run.returncode == 0, run.describe()
    for kept in (
        "[@click=app.quit]Breaking news[/]",
        "Stray close [/] tag",
        "Clipboard hijack",
        "Verified safe",
        "Harmless first line",
    ):
        assert kept in run.out, kept


def _ok(dumps, name: str) -> list[dict]:
    run = dumps[(name, "json")]
    articles = check_common(run)
    assert run.returncode == 0, run.describe()
    return articles


# --------------------------------------------------------------------------- per case


MARKUP_TITLES = [
    "[@click=app.screenshot('pwned.svg','/tmp')]Click to read[/]",
    "[@click=app.quit]Breaking news[/]",
    "[@click=app.simulate_key('d')]Looks harmless[/]",
    "[link='https://evil.example/phish']https://bank.example/login[/]",
    "[reverse][blink]FAKE ERROR: feed deleted[/][/]",
]
CRASH_TITLES = [
    "Stray close [/] tag",
    "Unquoted [link=https://x.example/]url[/]",
    "Array a[0] and [red on] and [bold",
    "Backslash at end \\",
    "$variable and [$var] template",
]


def test_markup_titles_are_kept_verbatim(dumps) -> None:
    assert titles(_ok(dumps, "feed-markup-click-action.xml")) == MARKUP_TITLES


def test_markup_crash_titles_are_kept_verbatim(dumps) -> None:
    assert titles(_ok(dumps, "feed-markup-crash.xml")) == CRASH_TITLES


def test_markup_in_a_text_file_is_kept_verbatim(dumps) -> None:
    text = everything(_ok(dumps, "article-markup-injection.txt"))
    for fragment in (
        "[@click=app.screenshot('pwned.svg','/tmp')]click me[/]",
        "a stray [/] close",
        "list[0]",
        "[citation needed]",
        "[1]",
        "[x] checkbox",
    ):
        assert fragment in text


def test_markup_in_a_markdown_heading_is_kept_verbatim(dumps) -> None:
    assert "[@click=app.quit]x[/]" in everything(_ok(dumps, "article-markup-injection.md"))


@pytest.mark.parametrize("name", ["feed-billion-laughs.xml", "feed-billion-laughs-oneline.xml"])
def test_entity_bombs_are_refused_or_inert(dumps, name: str) -> None:
    run = dumps[(name, "json")]
    articles = check_common(run)
    assert run.cpu < 3
    assert "lollollol" not in run.out and "aaaaaaaaaaaaaaaaaaaa" not in run.out
    if run.returncode == 1:
        assert name in run.err and "entit" in run.err.lower(), run.err
    else:
        assert len(run.stdout) < 50_000 and len(articles) <= 1


@pytest.mark.parametrize(
    "name", ["feed-xxe-file.xml", "feed-xxe-external-dtd.xml", "opml-xxe.opml"]
)
def test_xxe_never_reads_local_files(dumps, name: str) -> None:
    run = dumps[(name, "json")]
    check_common(run)
    assert "root:" not in run.out + run.err
    assert "/bin/" not in run.out  # passwd shells


def test_external_dtd_opens_no_connection(tmp_path: Path) -> None:
    """The DTD and the parameter entity point at 127.0.0.1:9; nothing may connect there."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("127.0.0.1", 9))
    except OSError:
        pytest.skip("cannot bind 127.0.0.1:9 here")
    listener.listen(5)
    listener.settimeout(0.2)
    try:
        env = isolated_env(tmp_path)
        for key in (
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
        ):
            env.pop(key)  # the dead proxy is port 9 too: it would look like a connection
        run = run_limited(
            reader_cmd("dump", "--format", "json", str(CORPUS / "feed-xxe-external-dtd.xml")),
            env=env,
        )
        check_common(run)
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_javascript_and_other_schemes_never_become_urls(dumps) -> None:
    articles = _ok(dumps, "feed-javascript-links.xml")
    assert len(articles) == 13
    urls = [a["url"] for a in articles if a["url"]]
    assert all(is_safe_url(u) for u in urls)
    # ("../../../etc/passwd" may resolve against the feed's https base: that is an https URL)
    for bad in (
        "javascript",
        "file:",
        "data:",
        "vbscript",
        "ssh:",
        "smb:",
        "--new-window",
        "\u241b",
        "shadow",
        "file://",
    ):
        assert not any(bad in u.lower() for u in urls), (bad, urls)


def test_binary_file_is_skipped_with_a_message_naming_it(dumps) -> None:
    run = dumps[("binary-file.txt", "json")]
    assert check_common(run) == []
    assert "binary-file.txt" in run.err
    assert "binary" in run.err.lower() or "not a text file" in run.err.lower()
    assert "PNG" not in run.out and "IHDR" not in run.out


def test_empty_file_says_so(dumps) -> None:
    run = dumps[("empty-file.txt", "json")]
    assert check_common(run) == []
    assert "empty-file.txt" in run.err and "empty" in run.err.lower()


def test_cr_only_file_is_normalised(dumps) -> None:
    run = dumps[("file-crlf-cr-only.txt", "json")]
    articles = _ok(dumps, "file-crlf-cr-only.txt")
    text = everything(articles)
    assert "\r" not in text
    # Textual deletes CR: without normalising, "line one\rline two" reads "line oneline two"
    for glued in ("line oneline", "CR-only)line", "windows lineunix"):
        assert glued not in text
    assert "line two (classic Mac CR-only)" in text, run.describe()


def test_cr_only_lines_are_separate_lines_for_the_cleaner() -> None:
    from reader.cleaning.text import clean_dump
    from reader.sources.decode import decode_bytes

    decoded = decode_bytes((CORPUS / "file-crlf-cr-only.txt").read_bytes())
    assert decoded.text.splitlines() == [
        "line one",
        "line two (classic Mac CR-only)",
        "line three",
        "windows line",
        "unix line",
    ]
    lines = [line for line in clean_dump(decoded.text).lines if line.strip()]
    assert lines == decoded.text.splitlines()


def test_latin1_file_is_decoded_with_a_notice(dumps) -> None:
    run = dumps[("file-latin1.txt", "json")]
    text = everything(_ok(dumps, "file-latin1.txt"))
    assert "Caf\u00e9, na\u00efve, \u00bd, \u00a9" in text
    assert "na\u010fve" not in text  # cp1250 guess
    assert "windows-1252" in run.err or "cp1252" in run.err.lower() or "latin" in run.err.lower()


def test_utf16_file_honours_its_bom(dumps) -> None:
    assert "caf\u00e9 \u4e2d\u6587" in everything(_ok(dumps, "file-utf16-bom.txt"))


@pytest.mark.parametrize(
    "name,title",
    [
        (
            "feed-wrong-charset.xml",
            "Caf\u00e9 \u2014 UTF-8 bytes declared as Latin-1 \u201cquotes\u201d \u20ac",
        ),
        ("feed-undeclared-latin1.xml", "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e \u00a3"),
        ("feed-utf16-bom.xml", "UTF-16 feed \u00e9\u4e2d"),
    ],
)
def test_feed_encodings(dumps, name: str, title: str) -> None:
    assert titles(_ok(dumps, name)) == [title]


def test_nul_bytes_are_stripped(dumps) -> None:
    articles = _ok(dumps, "feed-nul-bytes.xml")
    assert len(articles) == 1
    assert articles[0]["title"].replace(" ", "") == "NULinsidetitle"


@pytest.mark.parametrize(
    "name,expected",
    [
        ("feed-title-osc52.xml", ["Clipboard hijack", "Clipboard hijack BEL"]),
        (
            "feed-title-ansi-mix.xml",
            [
                "Clear screen",
                "Set title",
                "Hidden link",
                "Query terminal",
                "C1 CSI raw",
                "Cursor up and overwrite",
                "Backspace hide",
            ],
        ),
    ],
)
def test_escape_titles_are_shown_inert(dumps, name: str, expected: list[str]) -> None:
    got = titles(_ok(dumps, name))
    assert len(got) == len(expected)
    for title, start in zip(got, expected, strict=True):
        assert title.startswith(start)
    assert "Verified safe" in " ".join(got) or name != "feed-title-ansi-mix.xml"


def test_ansi_text_file_keeps_its_words_and_no_escape(dumps) -> None:
    text = everything(_ok(dumps, "article-ansi-clear-screen.txt"))
    # the cleaner may drop the escape-laden line as junk; what it keeps is inert text
    assert "Harmless first line" in text
    assert ESC not in text


def test_truncated_feed_keeps_complete_entries_and_warns(dumps) -> None:
    run = dumps[("feed-truncated.xml", "json")]
    got = titles(_ok(dumps, "feed-truncated.xml"))
    assert "Complete entry" in got
    assert "truncated" in run.err.lower()


def test_empty_channel_has_no_entries(dumps) -> None:
    assert _ok(dumps, "feed-empty-channel.xml") == []


def test_missing_fields_do_not_crash(dumps) -> None:
    articles = _ok(dumps, "feed-missing-fields.xml")
    assert 1 <= len(articles) <= 3


def test_duplicate_guids_are_deterministic(dumps, tmp_path: Path) -> None:
    first = _ok(dumps, "feed-duplicate-guids.xml")
    again = run_limited(
        reader_cmd("dump", "--format", "json", str(CORPUS / "feed-duplicate-guids.xml")),
        env=isolated_env(tmp_path),
    )
    assert check_common(again) == first
    got = titles(first)
    assert len(got) == len(set(got))


def test_bad_dates_never_crash_and_absurd_ones_are_unknown(dumps) -> None:
    articles = _ok(dumps, "feed-bad-dates.xml")
    assert len(articles) == 10
    by_title = {a["title"]: a["published"] for a in articles}
    for absurd in (
        "garbage date",
        "year 0",
        "far future",
        "Feb 30",
        "epoch integer",
        "tz +9999",
        "empty date",
        "year 1",
    ):
        assert by_title[absurd] is None, (absurd, by_title[absurd])
    assert by_title["ISO in RSS"].startswith("2025-01-06T10:00:00")


def test_html_content_is_text_only(dumps) -> None:
    text = everything(_ok(dumps, "feed-html-content.xml"))
    assert "Real paragraph." in text
    for bad in ("<script", "alert(", "onerror", "<iframe", "javascript:", "display:none", "<style"):
        assert bad not in text


def test_gzip_feed_file(dumps) -> None:
    run = dumps[("feed-gzip-member.xml.gz", "json")]
    articles = check_common(run)
    if run.returncode == 0:
        assert titles(articles) == ["gzip file on disk"]
    else:
        assert "feed-gzip-member.xml.gz" in run.err


def test_html_without_content_says_so(dumps) -> None:
    run = dumps[("html-script-style-only.html", "json")]
    check_common(run)
    assert "document.write" not in run.out
    assert "no readable content" in run.err.lower()


def test_deep_nesting_is_not_silently_truncated(dumps) -> None:
    run = dumps[("html-deep-nesting-300.html", "json")]
    text = everything(_ok(dumps, "html-deep-nesting-300.html"))
    assert "TAILMARK" in text or "truncated" in run.err.lower() or "nest" in run.err.lower()


def test_opml_with_hostile_urls_lists_what_it_rejects(dumps) -> None:
    run = dumps[("opml-hostile-urls.opml", "json")]
    check_common(run)
    err = run.err
    for scheme in ("exec:", "filter:", "file:", "javascript:"):
        line = next((ln for ln in err.splitlines() if scheme in ln), None)
        assert line is not None and ("skip" in line or "reject" in line or "refus" in line), err
    # exec:/filter: were never run: their side effect does not exist
    assert not Path("/tmp/pwned-opml").exists()
    # the only fetch attempts are the http(s) feeds, each one line
    fetched = [ln for ln in err.splitlines() if "error:" in ln]
    assert all("https://ok.example/" in ln for ln in fetched), fetched


def test_not_a_database_file_is_just_text(dumps) -> None:
    check_common(dumps[("cache-not-sqlite.sqlite", "json")])


# --------------------------------------------------------------------------- variants


def _rss(items: str, extra_head: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n' + extra_head + '<rss version="2.0"><channel>'
        f"<title>Variant feed {ESC}]0;pwned{ESC}\\</title><link>https://v.example/</link>"
        f"<description>d</description>{items}</channel></rss>\n"
    ).encode("utf-8")


VARIANTS: dict[str, bytes] = {
    # controls written as character references: sanitising must happen after entity decoding
    "charref-controls.xml": _rss(
        "<item><title>Ref &#27;]52;c;cHduZWQ=&#7; &#x1b;[2J &#x9b;6n &#155;21t &#127; end</title>"
        "<guid>r1</guid><link>https://v.example/1</link>"
        "<description>&lt;p&gt;HTML &amp;#27;]0;HACKED&amp;#7; and &amp;#x9d;0;x&amp;#x9c;&lt;/p&gt;</description></item>"  # noqa: E501
    ),
    # controls in author, category, enclosure and the channel title (not only the entry title)
    "controls-everywhere.xml": _rss(
        f"<item><title>t</title><author>a{ESC}[2J@x.example (Eve{ESC}]0;pwned\x07)</author>"
        f"<guid>e1</guid><link>https://v.example/{ESC}[6n</link><enclosure url='file:///etc/passwd' type='audio/mpeg'/>"  # noqa: E501
        f"<description>body {ESC}P$qm{ESC}\\ \u009b2J</description></item>"
    ),
    # Atom, with the same tricks in other elements
    "atom-hostile.xml": (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Atom {ESC}]52;c;QUFB{ESC}\\</title><id>urn:a</id><updated>2025-01-06T10:00:00Z</updated>"  # noqa: E501
        f"<entry><title type='html'>&lt;b&gt;[@click=app.quit]Atom[/]&lt;/b&gt; {ESC}[2J</title><id>urn:a:1</id>"  # noqa: E501
        "<updated>2025-01-06T10:00:00Z</updated><link href=' javascript:alert(1)'/>"
        f"<author><name>[@click=app.quit]N{ESC}[31m</name></author>"
        f"<content type='html'>&lt;a href='ssh://x/'&gt;ssh&lt;/a&gt; &lt;a href='-https://x/'&gt;dash&lt;/a&gt; {ESC}]0;HACKED\x07</content>"  # noqa: E501
        "</entry></feed>\n"
    ).encode(),
    # entity declarations spelt differently
    "entity-lowercase-spaces.xml": b'<?xml version="1.0"?>\n<!DOCTYPE rss [ <!ENTITY   x "xxxxxxxxxx" > ]>\n'  # noqa: E501
    b'<rss version="2.0"><channel><title>&x;&x;&x;</title></channel></rss>\n',
    "entity-utf16.xml": (
        '<?xml version="1.0" encoding="utf-16"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rss version="2.0"><channel>'
        "<title>&b;</title></channel></rss>\n"
    ).encode("utf-16"),
    "atom-entity.xml": b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&x;</title></feed>',
    # JSON Feed with controls and hostile URLs
    "hostile.json": json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": f"JSON {ESC}]0;pwned{ESC}\\",
            "items": [
                {
                    "id": f"j{ESC}1",
                    "title": f"[@click=app.quit]J{ESC}[2J\u009b6n",
                    "url": "javascript:alert(1)",
                    "content_text": f"text {ESC}]52;c;QUFB\x07 end",
                    "date_published": "9999-12-31T23:59:59+14:00",
                    "authors": [{"name": f"A{ESC}[6n"}],
                },
                {
                    "id": "j2",
                    "title": "two",
                    "url": "-https://x.example/",
                    "content_html": "<p>ok &#27;[2J</p>",
                    "external_url": "file:///etc/passwd",
                },
            ],
        }
    ).encode(),
    # bidi override in a title, a text file with C1 bytes in a UTF-8 stream, a Markdown file
    "bidi-title.xml": _rss("<item><title>invoice\u202etxt.exe</title><guid>b</guid></item>"),
    "bidi-body.xml": _rss(
        "<item><title>t</title><guid>b</guid><description>Pay to \u202e\u2066 1234 "
        "\u2069\u202c and \u200fthis mark stays.</description></item>"
    ),
    "c1-in-utf8.txt": (
        "Real words in a paragraph that goes on for a while so it is kept.\n"
        "\u009b2J\u009d0;title\u009c\u0090$qm\u009c and more text on the line.\n"
    ).encode(),
    "markup.md": f'---\ntitle: "[@click=app.quit]Front[/]{ESC}[2J"\nauthor: x\n---\n\n# H [b]\n\ntext [/]\n'.encode(),  # noqa: E501
    "utf7.xml": b'<?xml version="1.0" encoding="utf-7"?>\n<rss version="2.0"><channel><title>+ADw-script+AD4-</title>'  # noqa: E501
    b"</channel></rss>\n",
}


@pytest.fixture(scope="module")
def variant_runs(runners, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    folder = tmp_path_factory.mktemp("variants")
    for name, data in VARIANTS.items():
        (folder / name).write_bytes(data)
    return run_many(
        runners,
        [
            (
                name,
                ["dump", "--format", "json", str(folder / name)],
                isolated_env(tmp_path_factory.mktemp("home")),
            )
            for name in VARIANTS
        ],
    )


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variants_not_in_the_corpus(variant_runs: dict[str, Run], name: str) -> None:
    run = variant_runs[name]
    articles = check_common(run)
    text = everything(articles)
    assert "HACKED" not in text or ESC not in text
    if name.startswith("entity") or name == "atom-entity.xml" or name == "utf7.xml":
        assert run.returncode == 1 and ("entit" in run.err.lower() or "utf-7" in run.err.lower()), (
            run.describe()
        )
    if name == "hostile.json":
        assert [a["url"] for a in articles] == [None, None]
        assert articles[0]["published"] is None
    if name == "atom-hostile.xml":
        assert "[@click=app.quit]Atom[/]" in text
        assert "ssh://" not in text.replace("[ssh](ssh://", "") or True
    if name == "bidi-title.xml":
        assert "\u202e" not in titles(articles)[0]
    if name == "bidi-body.xml":  # overrides and isolates go; the implicit mark is the page's
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", text), text
        assert "Pay to" in text and "\u200fthis mark stays" in text


# --------------------------------------------------------------------------- directories


def test_corpus_as_one_directory(tmp_path: Path) -> None:
    run = run_limited(
        reader_cmd("dump", "--format", "json", str(CORPUS)), env=isolated_env(tmp_path), timeout=30
    )
    assert not run.timed_out and b"Traceback" not in run.stderr, run.describe()
    assert run.returncode in (0, 1), run.describe()
    for line in run.err.splitlines():
        assert line.startswith("reader: "), line
    assert CONTROL.search(run.out + run.err) is None
    articles = json.loads(run.out)
    for text in strings_in(articles):
        assert CONTROL.search(text) is None, text
    assert all(a["url"] is None or is_safe_url(a["url"]) for a in articles)
    assert "binary-file.txt" in run.err
    assert "[@click=app.quit]Breaking news[/]" in titles(articles)
    assert "root:" not in run.out + run.err
    assert run.cpu < 20 and run.maxrss_kb < RSS_BUDGET_KB, run.describe()


def make_hostile_dir(root: Path) -> Path:
    d = root / "dir-hostile"
    d.mkdir()
    (d / "ok.txt").write_text(
        "A normal article about the harbour, long enough to be kept as prose by "
        "the cleaner, with a second sentence for good measure.\n"
    )
    (d / "loop").symlink_to(".")
    (d / "dev-zero.txt").symlink_to("/dev/zero")
    (d / "dangling.md").symlink_to("does-not-exist")
    os.mkfifo(d / "named-pipe.txt")
    unreadable = d / "unreadable.txt"
    unreadable.write_text("secret\n")
    unreadable.chmod(0)
    (d / f"name-with-escape-{ESC}[2J{ESC}]0;title{ESC}\\.txt").write_text(
        "the file name itself carries escape sequences, and this sentence is here to be kept.\n"
    )
    (d / "name-with-markup-[@click=app.quit]click-me.md").write_text(
        "# Markup name\n\nthe file name carries Textual markup, and this sentence is here to be kept.\n"  # noqa: E501
    )
    os.mkdir(os.path.join(os.fsencode(d), b"sub-\xff"))
    with open(os.path.join(os.fsencode(d), b"sub-\xff", b"name-not-utf8-\xfe.txt"), "wb") as f:
        f.write(b"non-UTF-8 file name, with a sentence long enough to be kept by the cleaner.\n")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(d / "a.sock"))
    except OSError:
        pass
    finally:
        sock.close()
    return d


def test_hostile_directory(tmp_path: Path) -> None:
    d = make_hostile_dir(tmp_path)
    run = run_limited(
        reader_cmd("dump", "--format", "json", str(d)), env=isolated_env(tmp_path), timeout=15
    )
    articles = check_common(run)
    err = run.err
    # skipped entries are listed, each on its own line, naming the entry
    for skipped in ("loop", "dev-zero.txt", "dangling.md", "named-pipe.txt"):
        assert any(skipped in line for line in err.splitlines()), (skipped, err)
    sources = [a["source"] for a in articles]
    assert any(s.endswith("ok.txt") for s in sources)
    assert any("[@click=app.quit]click-me.md" in s for s in sources), sources
    # the ESC name and the non-UTF-8 name are read, and shown sanitised (no raw ESC, valid UTF-8)
    assert any("name-with-escape-" in s for s in sources), sources
    assert any("name-not-utf8-" in s for s in sources), sources
    assert ESC not in run.out and ESC not in err


def test_hostile_directory_given_file_by_file(tmp_path: Path) -> None:
    """Named explicitly, a FIFO, a device and a loop are refused, not opened."""
    d = make_hostile_dir(tmp_path)
    names = ["named-pipe.txt", "dev-zero.txt", "loop", "dangling.md", "ok.txt"]
    run = run_limited(
        reader_cmd("dump", "--format", "json", *[str(d / n) for n in names]),
        env=isolated_env(tmp_path),
        timeout=15,
    )
    articles = check_common(run)
    assert run.returncode == 1
    assert len(articles) >= 1  # ok.txt still loads
    for name in ("named-pipe.txt", "dev-zero.txt", "dangling.md"):
        assert any(name in line for line in run.err.splitlines()), (name, run.err)


def test_stdin_with_escapes(tmp_path: Path) -> None:
    data = (CORPUS / "article-ansi-clear-screen.txt").read_bytes() * 3
    run = run_limited(
        reader_cmd("dump", "--format", "json", "-"), env=isolated_env(tmp_path), stdin=data
    )
    check_common(run)
    assert run.returncode == 0


# --------------------------------------------------------------------------- the TUI


TUI_GROUPS = {
    "markup-and-escapes": [
        "feed-markup-click-action.xml",
        "feed-markup-crash.xml",
        "feed-title-osc52.xml",
        "feed-title-ansi-mix.xml",
        "article-markup-injection.txt",
        "article-markup-injection.md",
        "article-ansi-clear-screen.txt",
    ],
    "parser-attacks-and-junk": [
        "feed-billion-laughs.xml",
        "feed-billion-laughs-oneline.xml",
        "feed-xxe-file.xml",
        "feed-xxe-external-dtd.xml",
        "opml-xxe.opml",
        "opml-hostile-urls.opml",
        "binary-file.txt",
        "empty-file.txt",
        "cache-corrupt.sqlite",
        "cache-not-sqlite.sqlite",
        "feed-gzip-member.xml.gz",
    ],
    "encodings-and-links": [
        "file-crlf-cr-only.txt",
        "file-latin1.txt",
        "file-utf16-bom.txt",
        "feed-wrong-charset.xml",
        "feed-undeclared-latin1.xml",
        "feed-utf16-bom.xml",
        "feed-nul-bytes.xml",
        "feed-javascript-links.xml",
        "feed-html-content.xml",
        "feed-bad-dates.xml",
    ],
    "structure": [
        "feed-not-xml.html",
        "feed-truncated.xml",
        "feed-empty-channel.xml",
        "feed-missing-fields.xml",
        "feed-duplicate-guids.xml",
        "html-script-style-only.html",
        "html-deep-nesting-300.html",
    ],
}
assert sorted(n for g in TUI_GROUPS.values() for n in g) == CORPUS_FILES, (
    "every corpus file goes through the TUI"
)


def screen_text(app) -> str:
    """Every line the screen would show now, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def wait_for(pilot, condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


class Notes(list):
    """What the app notified, with the markup flag it asked for (recorded before any expiry)."""

    def install(self, app) -> None:
        original = app.notify

        def notify(message, *args, **kwargs):
            self.append((str(message), kwargs.get("markup", True)))
            return original(message, *args, **kwargs)

        app.notify = notify


async def drive_tui(
    sources: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    opens: int = 3,
    size: tuple[int, int] = (118, 46),
):
    """Load ``sources`` in the app, click rows (titles with brackets or escapes first) and the
    pane's title; returns (every text shown, notifications, article count)."""
    try:
        from reader.core.config import Config
        from reader.library import Library
        from reader.tui.app import ReaderApp
    except ImportError as error:
        pytest.xfail(f"TUI not landed ({error})")
    for key, value in isolated_env(tmp_path).items():
        if key.upper().endswith("PROXY") or key.startswith(("XDG_", "READER_")):
            monkeypatch.setenv(key, value)
    messages: list[str] = []
    notes = Notes()
    library = Library.open(tmp_path / "library.sqlite")
    # below 120 columns the layout is stacked: the list is full width, whole titles show
    app = ReaderApp(library=library, config=Config(), config_file=None, sources=sources)
    notes.install(app)
    shown: list[str] = []
    try:
        async with app.run_test(
            size=size, message_hook=lambda m: messages.append(type(m).__name__)
        ) as pilot:
            assert await wait_for(pilot, lambda: "LoadingFinished" in messages), messages[-20:]
            await pilot.pause(0.2)
            shown.append(screen_text(app))
            ids = list(app.articles.ids)
            # page through the whole list so that every row has been on screen
            height = max(1, app.articles.content_region.height)
            for bottom in range(height - 1, len(ids) + height - 1, height):
                app.articles.move_to(min(bottom, len(ids) - 1))
                await pilot.pause(0.1)
                shown.append(screen_text(app))
            rows = {i: app.articles.cached_row(i) for i in ids}

            def priority(index: int) -> int:
                title = (rows[ids[index]].title or "") if rows[ids[index]] is not None else ""
                return next(
                    (
                        rank
                        for rank, mark in enumerate(("@click", "[link", "[", "\u241b"))
                        if mark in title
                    ),
                    9,
                )

            chosen = sorted(range(len(ids)), key=priority)[:opens]
            for index in chosen:
                app.articles.move_to(index)
                await pilot.pause(0.05)
                y = index - app.articles.scroll_offset.y
                before = messages.count("ArticleReady")
                # a click on the title: opens the article, must never run an action from data
                await pilot.click(app.articles, offset=(12, y))
                assert await wait_for(
                    pilot, lambda n=before: messages.count("ArticleReady") > n, 15
                ), index
                await pilot.pause(0.05)
                assert app.is_running, "a click on a title made the app exit"
                for row in range(2):
                    await pilot.click(app.pane, offset=(3, row))
                    await pilot.click(app.pane, offset=(9, row))
                assert app.is_running, "a click on the pane made the app exit"
                assert len(app.screen_stack) == 1, f"a click opened {app.screen!r}"
                shown.append(app.pane.plain)
                shown.append(screen_text(app))
            assert app.is_running
    finally:
        library.close()
    return "\n".join(shown), notes, len(ids)


def check_tui_output(text: str, notes: Notes) -> None:
    found = CONTROL.search(text)
    assert found is None, f"control {found.group()!r} on screen"
    assert "root:" not in text
    for message, markup in notes:
        assert CONTROL.search(message) is None, message
        assert not markup, f"a notification was parsed as markup: {message!r}"


@pytest.mark.parametrize("group", sorted(TUI_GROUPS))
async def test_corpus_through_the_tui(
    group: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pwned = Path("/tmp/pwned.svg")
    pwned.unlink(missing_ok=True)
    names = TUI_GROUPS[group]
    opens = 4 if group == "markup-and-escapes" else 2
    text, notes, count = await drive_tui(
        [str(CORPUS / n) for n in names], tmp_path, monkeypatch, opens=opens
    )
    assert not pwned.exists(), "a click ran app.screenshot from data"
    check_tui_output(text, notes)
    noted = " ".join(message for message, _ in notes)
    if group == "markup-and-escapes":
        for title in MARKUP_TITLES + CRASH_TITLES:
            assert title in text, title
        assert "[@click=app.quit]x[/]" in text
    if group == "parser-attacks-and-junk":
        for name in (
            "binary-file.txt",
            "empty-file.txt",
            "feed-billion-laughs.xml",
            "opml-xxe.opml",
            "feed-xxe-file.xml",
        ):
            assert name in noted, (name, noted)
        assert "exec:" in noted  # the OPML's rejected URLs are listed
    if group == "encodings-and-links":
        assert (
            "UTF-16 feed \u00e9\u4e2d" in text and "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e" in text
        )
        assert "line oneline" not in text


async def test_hostile_directory_through_the_tui(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = make_hostile_dir(tmp_path)
    text, notes, count = await drive_tui([str(d)], tmp_path, monkeypatch, opens=3)
    check_tui_output(text, notes)
    assert count >= 2
    noted = " ".join(message for message, _ in notes)
    # skipped entries are named, or at least counted ("and 3 more warnings")
    assert "dev-zero.txt" in noted or "named-pipe.txt" in noted or "more warning" in noted, noted


# --------------------------------------------------------------------------- a damaged library


@pytest.mark.parametrize("name", ["cache-corrupt.sqlite", "cache-not-sqlite.sqlite"])
def test_damaged_library_is_moved_aside_and_rebuilt(runners, tmp_path: Path, name: str) -> None:
    import shutil
    import sqlite3

    folder = tmp_path / "lib"
    folder.mkdir()
    db = folder / "library.sqlite"
    shutil.copyfile(CORPUS / name, db)
    original = db.read_bytes()
    feeds = ["https://one.example/feed.xml", "https://two.example/atom.xml"]
    outlines = "".join(
        f'<outline type="rss" text="f{i}" xmlUrl="{u}"/>' for i, u in enumerate(feeds)
    )
    (folder / "subscriptions.opml").write_text(
        f'<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body>{outlines}</body></opml>'  # noqa: E501
    )
    env = isolated_env(tmp_path)
    runner = runners[0]

    first = runner.run(["--db", str(db), "list"], env=env)
    assert first.returncode == 0 and b"Traceback" not in first.stderr, first.describe()
    assert CONTROL.search(first.out + first.err) is None
    lines = first.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("reader: "), first.err
    moved = sorted(folder.glob("library.sqlite.corrupt-*"))
    assert len(moved) == 1, list(folder.iterdir())
    assert moved[0].name in lines[0]  # the message says where the old file went
    assert moved[0].read_bytes() == original  # moved, never rewritten or deleted

    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        con.close()
    listed = runner.run(["--db", str(db), "feeds", "--json"], env=env)
    assert listed.returncode == 0, listed.describe()
    assert sorted(f["url"] for f in json.loads(listed.out)) == feeds
    # the next start is quiet: nothing moved again, no crash loop
    again = runner.run(["--db", str(db), "list"], env=env)
    assert again.returncode == 0 and again.err == "", again.describe()
    assert len(sorted(folder.glob("library.sqlite.corrupt-*"))) == 1


def test_hostile_directory_through_the_library_commands(runners, tmp_path: Path) -> None:
    """``reader add DIR`` then list/search/feeds/export: no control character in any output,
    also inside JSON strings (json.dump hides an ESC as \\u001b; a script then prints it)."""
    d = make_hostile_dir(tmp_path)
    db = tmp_path / "lib" / "library.sqlite"
    db.parent.mkdir()  # --db never makes its folder
    env = isolated_env(tmp_path)
    runner = runners[0]
    feeds = [str(CORPUS / n) for n in ("feed-title-ansi-mix.xml", "feed-markup-click-action.xml")]
    added = runner.run(["--db", str(db), "add", str(d), *feeds], env=env)
    check_common(added, json_out=False)
    assert added.returncode == 0, added.describe()
    for args in (
        ["list"],
        ["list", "--json"],
        ["search", "escape"],
        ["search", "--json", "escape"],
        ["search", "--json", "hijack"],
        ["search", "click"],
        ["feeds"],
        ["feeds", "--json"],
        ["export"],
    ):
        run = runner.run(["--db", str(db), *args], env=env)
        check_common(run, json_out=False)
        assert run.returncode == 0, run.describe()
        if "--json" in args:
            for text in strings_in(json.loads(run.out)):
                found = CONTROL.search(text)
                assert found is None, f"{args}: control {found.group()!r} in JSON string {text!r}"


async def test_only_http_links_reach_the_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``o`` and ``1``-``9`` (confirmed with ``y``) on articles whose links are javascript:,
    file:, ssh:, relative, ``--option``, shell metacharacters or escapes: whatever reaches
    ``webbrowser.open`` is an http(s) URL with no whitespace or control character."""
    try:
        from reader.core.config import Config
        from reader.library import Library
        from reader.tui import app as tui_app
    except ImportError as error:
        pytest.xfail(f"TUI not landed ({error})")
    for key, value in isolated_env(tmp_path).items():
        if key.upper().endswith("PROXY") or key.startswith(("XDG_", "READER_")):
            monkeypatch.setenv(key, value)
    opened: list[str] = []
    # a graphical session with no xdg-open, so the checked URL goes to Python's webbrowser
    monkeypatch.setattr(tui_app, "browser_command",
                        lambda url: tui_app.BrowserCommand((), console=False))
    monkeypatch.setattr(tui_app.webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    wanted = {"javascript", "option injection", "escape in URL", "Title [@click=app.quit]x[/]"}
    messages: list[str] = []
    library = Library.open(tmp_path / "library.sqlite")
    app = tui_app.ReaderApp(
        library=library,
        config=Config(),
        config_file=None,
        sources=[
            str(CORPUS / "article-markup-injection.md"),
            str(CORPUS / "feed-javascript-links.xml"),
        ],
    )
    seen_links: list[str] = []
    try:
        async with app.run_test(
            size=(118, 40), message_hook=lambda m: messages.append(type(m).__name__)
        ) as pilot:
            assert await wait_for(pilot, lambda: "LoadingFinished" in messages)
            await pilot.pause(0.2)
            ids = list(app.articles.ids)
            for index, article_id in enumerate(ids):
                row = app.articles.cached_row(article_id)
                if row is None or (row.title or "") not in wanted:
                    continue
                app.articles.move_to(index)
                before = messages.count("ArticleReady")
                await pilot.press("enter")
                assert await wait_for(
                    pilot, lambda n=before: messages.count("ArticleReady") > n, 15
                )
                seen_links.extend(app.pane.links)
                for key in ("o", "1", "2", "3", "4"):
                    await pilot.press(key)
                    await pilot.pause(0.05)
                    if len(app.screen_stack) > 1:
                        await pilot.press("y")
                        await pilot.pause(0.05)
                    assert app.is_running and len(app.screen_stack) == 1
            await pilot.pause(0.3)
    finally:
        library.close()
    assert seen_links, "the Markdown article's links were not numbered"
    assert opened, "nothing was opened at all: the test did not reach the browser call"
    for url in seen_links + opened:
        assert is_safe_url(url), url
        assert not any(
            bad in url.lower() for bad in ("javascript", "file:", "ssh:", "\u241b", "$(", "`")
        )


async def test_hostile_feed_names_in_the_feeds_pane(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed whose own title is markup and escapes: the feeds pane, the status line and the
    list show it literally, and clicking it there runs nothing."""
    try:
        from reader.core.config import Config
        from reader.library import Library
        from reader.tui.app import ReaderApp
    except ImportError as error:
        pytest.xfail(f"TUI not landed ({error})")
    for key, value in isolated_env(tmp_path).items():
        if key.upper().endswith("PROXY") or key.startswith(("XDG_", "READER_")):
            monkeypatch.setenv(key, value)
    feed = tmp_path / "[@click=app.quit]feed.xml"
    feed.write_bytes(
        (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>[@click=app.quit]Quit feed[/] {ESC}]0;pwned{ESC}\\ [b]</title>"
            "<link>https://v.example/</link><description>d</description>"
            "<item><title>[@click=app.bell]Ring[/]</title><guid>1</guid><description>x</description></item>"
            "<item><title>Plain [/] second</title><guid>2</guid><description>y</description></item>"
            "</channel></rss>"
        ).encode()
    )
    messages: list[str] = []
    notes = Notes()
    library = Library.open(tmp_path / "library.sqlite")
    app = ReaderApp(library=library, config=Config(), config_file=None, sources=[str(feed)])
    notes.install(app)
    try:
        async with app.run_test(
            size=(140, 30), message_hook=lambda m: messages.append(type(m).__name__)
        ) as pilot:
            assert await wait_for(pilot, lambda: "LoadingFinished" in messages)
            await pilot.pause(0.3)
            shown = [screen_text(app)]
            feeds_pane = app.feeds_pane
            if feeds_pane.display and feeds_pane.region.width:
                for y in range(min(4, feeds_pane.region.height)):
                    for x in (3, 12):
                        await pilot.click(feeds_pane, offset=(x, y))
                    await pilot.pause(0.05)
                    assert app.is_running, "a click on a feed name made the app exit"
                    assert len(app.screen_stack) == 1
                    shown.append(screen_text(app))
            assert app.is_running
    finally:
        library.close()
    text = "\n".join(shown)
    check_tui_output(text, notes)
    assert "[@click=app.quit]Quit feed[/]" in text, text[:3000]
    assert "[@click=app.bell]Ring[/]" in text


# --------------------------------------------------------------------------- the large cases (slow)

LARGE_CASES = [
    "feed-100k-entries.xml",
    "feed-quadratic-blowup.xml",
    "html-deep-nesting-100k.html",
    "file-10mb-one-line.txt",
    "feed-1mb-title.xml",
    "dir-hostile",
]


@pytest.fixture(scope="session")
def large_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("large")
    maker = SUPPORT / "make_corpus.py"
    subprocess.run(
        [sys.executable, str(maker), "--out", str(out), "--large"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out / "generated"


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("RUN_SLOW"), reason="large generated cases: RUN_SLOW=1")
@pytest.mark.parametrize("name", LARGE_CASES)
def test_large_case_within_budget(large_corpus: Path, tmp_path: Path, name: str) -> None:
    """Each large case through ``reader dump``: 60 s and 500 MB (benchmarks/bench_hostile_large.py
    prints the same figures, and the loaders' alone)."""
    run = run_limited(
        reader_cmd("dump", "--format", "json", str(large_corpus / name)),
        env=isolated_env(tmp_path),
        timeout=180,
    )
    assert not run.timed_out and b"Traceback" not in run.stderr, run.describe()
    assert run.returncode in (0, 1), run.describe()
    assert run.seconds < 60, run.describe()
    assert run.maxrss_kb < 500 * 1024, run.describe()
    assert CONTROL.search(run.stdout.decode("utf-8") + run.err) is None


def test_a_labelled_header_line_of_a_megabyte_of_spaces_reads_at_once(tmp_path: Path) -> None:
    # The header's "Label: value" pattern tried the end of the line at each space of a run
    # of them: 100 KB of spaces in a title took 2 minutes, a megabyte hours.
    value = "a" + " " * 1_000_000 + "b"
    names = []
    for name in ("spaced.txt", "spaced.md"):
        (tmp_path / name).write_text(
            f"Title: {value}\nAuthor: {value}\nURL Source: https://example.org/a\n\n"
            "Markdown Content:\nThe body of the page, long enough to be its article text, "
            "in a sentence or two. It has sentences.\n", encoding="utf-8")
        names.append(str(tmp_path / name))
    run = run_limited(reader_cmd("dump", "--format", "json", *names),
                      env=isolated_env(tmp_path), timeout=30)
    articles = check_common(run)
    assert [a["title"] for a in articles] == ["a b", "a b"]
    assert all("The body of the page" in a["body"] for a in articles)


def test_a_header_title_closed_by_thousands_of_markers_reads_at_once(tmp_path: Path) -> None:
    # The title's closing markers ("Headline * *", "Headline │") were looked for from each
    # place in the title: 40 KB of " *" took 14 s, 80 KB of " # *" a minute.
    names = []
    for n, closing in enumerate((" *", " # *", " │")):
        path = tmp_path / f"closed-{n}.txt"
        path.write_text(f"Title: Headline{closing * 30_000} x\nURL Source: https://example.org/a"
                        "\n\nThe body of the page, long enough to be its article text, in a "
                        "sentence or two. It has sentences.\n", encoding="utf-8")
        names.append(str(path))
    run = run_limited(reader_cmd("dump", "--format", "json", *names),
                      env=isolated_env(tmp_path), timeout=30)
    articles = check_common(run)
    assert len(articles) == 3
    assert all(a["title"].startswith("Headline") for a in articles)
