"""Run learner code in a sandbox: bubblewrap where it works, resource limits always.

A learner's solution runs inside the lab's process, so on a team server running a
solution is running anyone's code. :func:`prepare` turns a lab command into one that runs

- under **bubblewrap** (``bwrap``): new network, PID, IPC and UTS namespaces (no network
  at all, not even the app's own port; the parent process invisible), a root filesystem
  made of read-only binds of ``/usr``, a few files of ``/etc``, the Python installation and
  the labs folder, a private writable run folder and a fresh ``/tmp``; the user's data
  folder (database, other runs), home and secrets are simply not there;
- as an **unprivileged user**: run by root, the command drops to ``nobody`` (65534) inside
  the sandbox with ``setpriv``, every capability cleared and ``no_new_privs`` set, because
  root ignores the process limit (RLIMIT_NPROC never applies to uid 0);
- with **resource limits** (``prlimit``): CPU seconds, address space (not with CUDA, which
  reserves huge virtual ranges), file size, open files, and processes;
- with a **scrubbed environment**: an allow-list (no database URL, no tokens), ``HOME``
  set to the run folder.

Where bubblewrap is missing or cannot start (no user namespaces), the fallback is the
limits and the scrubbed environment only; :func:`sandbox_info` says which applies and why.
The engine never imports a UI; callers show ``SandboxInfo.detail`` and ``fix``.
"""

from __future__ import annotations

import functools
import os
import shutil
import site
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Limits", "Prepared", "SandboxInfo", "prepare", "sandbox_info"]

NOBODY = 65534  # the unprivileged uid/gid a root-run sandbox drops to
ENV_ALLOW = ("PYTHONUNBUFFERED", "PYTHONIOENCODING", "MPLBACKEND", "HF_HUB_OFFLINE",
             "TRANSFORMERS_OFFLINE", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
             "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
             "CUDA_VISIBLE_DEVICES", "KERAS_BACKEND", "LANG", "LC_ALL", "TZ")
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "ssl",
             "ca-certificates", "localtime", "timezone", "passwd", "group", "nsswitch.conf",
             "hosts", "fonts", "mime.types", "gitconfig")
ROOT_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandboxed run (``prlimit``; inherited by every child)."""

    cpu_s: int = 900  # CPU seconds (the node's wall-clock timeout usually ends it first)
    memory_bytes: int = 8 * 2**30  # address space; not applied with CUDA
    file_bytes: int = 256 * 2**20  # largest file the run may write
    processes: int = 256  # processes and threads beyond those the sandbox user already has
    open_files: int = 1024


@dataclass(frozen=True)
class SandboxInfo:
    """What isolation learner code gets on this machine.

    ``active`` is True with the full sandbox (bubblewrap); False means resource limits
    and a scrubbed environment only. ``detail`` is one line for people, ``fix`` what to do.
    """

    active: bool
    mode: str  # "bubblewrap" | "limits-only"
    detail: str
    fix: str = ""


@dataclass
class Prepared:
    """A command ready for ``subprocess.Popen(argv, env=env, cwd=cwd)``."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path
    info: SandboxInfo
    hidden: list[Path] = field(default_factory=list)


@functools.cache
def sandbox_info() -> SandboxInfo:
    """Probe once per process whether bubblewrap can start a sandbox here.

    Returns
    -------
    SandboxInfo
        ``mode="bubblewrap"`` when a trivial command ran inside ``bwrap`` with the same
        options learner code gets (as root: ``setpriv`` too), else ``"limits-only"`` with
        the reason.
    """
    fix = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)"
    if not sys.platform.startswith("linux"):
        return SandboxInfo(False, "limits-only", f"no sandbox on {sys.platform}: bubblewrap "
                           "is Linux-only; learner code runs with resource limits only",
                           "run the app on Linux with bubblewrap installed")
    missing = [t for t in ("bwrap", "prlimit") + (("setpriv",) if _is_root() else ())
               if shutil.which(t) is None]
    if missing:
        return SandboxInfo(False, "limits-only", f"{' and '.join(missing)} not found: "
                           "learner code runs with resource limits and a scrubbed "
                           "environment only (no filesystem or network isolation)",
                           fix if "bwrap" in missing else "install util-linux")
    argv = [*_bwrap_args([], Path("/"), gpu=False), *_drop_privileges(), "/bin/true"]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=20,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        err = str(exc)
    else:
        if proc.returncode == 0:
            who = "nobody (dropped from root)" if _is_root() else "your user"
            return SandboxInfo(True, "bubblewrap", "bubblewrap sandbox: no network, "
                               f"read-only code, private run folder, runs as {who}, "
                               "resource limits, scrubbed environment")
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        err = lines[-1] if lines else f"exit {proc.returncode}"
    return SandboxInfo(False, "limits-only", f"bubblewrap cannot start here ({err}): learner "
                       "code runs with resource limits and a scrubbed environment only",
                       "allow unprivileged user namespaces (sysctl "
                       "kernel.unprivileged_userns_clone=1) or run as root")


def prepare(cmd: Sequence[str], *, run_dir: Path, readable: Sequence[Path],
            env: Mapping[str, str], limits: Limits | None = None, gpu: bool = False,
            hide: Sequence[Path] = (), info: SandboxInfo | None = None) -> Prepared:
    """Wrap ``cmd`` (``[python, lab.py, ...]``) to run sandboxed in ``run_dir``.

    Parameters
    ----------
    cmd : sequence of str
        The command; every path it names must lie in ``run_dir``, ``readable`` or the
        Python installation (copy a learner's solution into ``run_dir`` first).
    run_dir : Path
        The run's private folder: the only writable place (besides a fresh ``/tmp``).
    readable : sequence of Path
        Folders the run may read (the labs folder).
    env : mapping
        The caller's environment; only the allow-listed variables pass.
    limits : Limits, optional
    gpu : bool
        Give the run the NVIDIA device files and no address-space limit.
    hide : sequence of Path
        Folders that must stay invisible even if they lie inside a readable one (the data
        folder).
    info : SandboxInfo, optional
        Defaults to :func:`sandbox_info`.

    Returns
    -------
    Prepared

    Examples
    --------
    >>> import tempfile
    >>> p = prepare(["python3", "-c", "pass"], run_dir=Path(tempfile.mkdtemp()), readable=[],
    ...             env={"ROADMAP_DB_URL": "postgresql://secret", "MPLBACKEND": "Agg"},
    ...             info=SandboxInfo(False, "limits-only", "test"))
    >>> "ROADMAP_DB_URL" in p.env, p.env["MPLBACKEND"], p.argv[0]
    (False, 'Agg', 'prlimit')
    """
    info = info or sandbox_info()
    limits = limits or Limits()
    run_dir = run_dir.resolve()
    clean = {k: v for k, v in env.items() if k in ENV_ALLOW}
    clean.update(HOME=str(run_dir), TMPDIR="/tmp" if info.active else str(run_dir),
                 MPLCONFIGDIR=str(run_dir / ".matplotlib"),
                 PATH=os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"]))
    uid = NOBODY if (info.active and _is_root()) else os.getuid()
    argv = _prlimit(limits, gpu, uid) if shutil.which("prlimit") else []
    if not info.active:
        return Prepared([*argv, *cmd], clean, run_dir, info)
    if _is_root():
        os.chown(run_dir, NOBODY, NOBODY)
    binds = [p.resolve() for p in readable]
    hidden = [h.resolve() for h in hide if any(_inside(h.resolve(), b) for b in
                                               [*binds, *_python_dirs()])]
    argv += _bwrap_args(binds, run_dir, gpu=gpu, hidden=hidden)
    argv += _drop_privileges()
    return Prepared([*argv, *cmd], clean, run_dir, info, hidden)


# ---------------------------------------------------------------------- private
def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _python_dirs() -> list[Path]:
    """The interpreter, its standard library and site-packages (venv and base, user site)."""
    dirs = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    dirs |= {Path(p).resolve() for p in site.getsitepackages() if Path(p).exists()}
    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    if user_site and Path(user_site).is_dir():
        dirs.add(Path(user_site).resolve())
    dirs.add(Path(sys.executable).resolve().parent)
    dirs = {d for d in dirs if not _inside(d, Path("/usr"))}
    return sorted(d for d in dirs if not any(o != d and _inside(d, o) for o in dirs))


def _bwrap_args(readable: list[Path], run_dir: Path, *, gpu: bool,
                hidden: Sequence[Path] = ()) -> list[str]:
    args = ["bwrap", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    if not _is_root():
        args.append("--unshare-user")
    args += ["--ro-bind", "/usr", "/usr"]
    for name in ROOT_LINKS:
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += ["--ro-bind", str(host), str(host)]
    args += ["--perms", "0755", "--dir", "/etc"]
    for name in ETC_FILES:
        if (Path("/etc") / name).exists():
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    made: set[Path] = {Path("/"), Path("/usr"), Path("/etc"), Path("/tmp"), Path("/proc"),
                       Path("/dev")}
    python = _python_dirs()
    mounts = [("--ro-bind", p) for p in python]
    mounts += [("--ro-bind", p) for p in readable if not any(_inside(p, q) for q in python)]
    mounts += [("--tmpfs", h) for h in hidden]  # an empty folder over what must stay unseen
    if run_dir != Path("/"):
        mounts.append(("--bind", run_dir))  # deeper than a hidden folder it may lie in
    for flag, path in sorted(mounts, key=lambda m: len(m[1].parts)):
        for parent in reversed(path.parents):  # parents a sandbox user can traverse
            if parent not in made and not any(_inside(parent, p) for _, p in mounts
                                              if p != path):
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        args += [flag, str(path)] if flag == "--tmpfs" else [flag, str(path), str(path)]
        made.add(path)
    if gpu:
        for dev in sorted(Path("/dev").glob("nvidia*")):
            args += ["--dev-bind", str(dev), str(dev)]
        args += ["--ro-bind-try", "/sys", "/sys"]
    args += ["--chdir", str(run_dir)]
    return args


def _drop_privileges() -> list[str]:
    if not _is_root():
        return []
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]


def _prlimit(limits: Limits, gpu: bool, uid: int) -> list[str]:
    args = ["prlimit", f"--cpu={limits.cpu_s}", f"--fsize={limits.file_bytes}",
            f"--nofile={limits.open_files}",
            f"--nproc={_tasks_of(uid) + limits.processes}"]
    if not gpu:
        args.append(f"--as={limits.memory_bytes}")
    return [*args, "--"]


def _tasks_of(uid: int) -> int:
    """Processes and threads the user already runs (RLIMIT_NPROC counts them all)."""
    n = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if line.startswith(("Uid:", "Threads:")))
        except (OSError, ValueError):
            continue
        if fields.get("Uid", "").split()[:1] == [str(uid)]:
            n += int(fields.get("Threads", "1"))
    return n
