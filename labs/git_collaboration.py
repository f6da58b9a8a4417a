"""Git and collaborative workflows: branches, merges, conflicts, rebase, push and pull.

Git history is a DAG of commits, each pointing at its parents; a branch is a movable name for one
commit. A merge starts from the *merge base* (best common ancestor): changes on one side only are
combined, changes to the same lines on both sides are a *conflict*, marked in the file
(``<<<<<<< ours``, ``=======``, ``>>>>>>> theirs``) and kept as index stages 1 (base), 2 (ours), 3
(theirs) until resolved. A rebase replays a branch's commits onto another base: same patches, new
commits, linear history. GitHub flow (short feature branches merged into ``main`` through a pull
request) and GitLab flow (plus environment/release branches) are built from these moves; a push
that is not a fast-forward is rejected, so you pull (fetch + rebase or merge) first.

The lab runs the real ``git`` in a temp dir (identity in each repo's local config; global and system
config ignored): a bare "origin", clones alice and bob, a conflicting merge, a rejected push and
``pull --rebase``, a rebase + fast-forward, a criss-cross merge. You write ``resolve_conflicts`` (vs
``git merge-file --ours/--theirs/--union`` on the index stages), ``merge_base`` (vs
``git merge-base --all``) and ``ahead_behind`` (vs ``git rev-list --left-right --count``).

$ python labs/git_collaboration.py --quick
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("resolve_conflicts", "merge_base", "ahead_behind")


@dataclass
class Config:
    feature_commits: int = 2  # commits on the rebased feature branch
    timeout_s: float = 30.0  # per git command


def resolve_conflicts(text: str, prefer: str) -> str:
    """Resolve every ``<<<<<<< / ======= / >>>>>>>`` hunk of a conflicted file.

    ``prefer`` is ``"ours"`` (the part before =======), ``"theirs"`` (after it) or
    ``"union"`` (ours then theirs). Lines outside hunks are kept; a diff3 base section
    (``|||||||`` ... up to =======) is dropped. Line endings are kept.
    """
    out, state = [], "normal"
    for line in text.splitlines(keepends=True):
        if state == "normal" and line.startswith("<<<<<<<"):
            state = "ours"
        elif state in ("ours", "base") and line.startswith("|||||||"):
            state = "base"
        elif state in ("ours", "base") and line.startswith("======="):
            state = "theirs"
        elif state == "theirs" and line.startswith(">>>>>>>"):
            state = "normal"
        elif state == "normal" or (state == "ours" and prefer in ("ours", "union")) or (
                state == "theirs" and prefer in ("theirs", "union")):
            out.append(line)
    return "".join(out)


def _ancestors(parents: dict, commit: str) -> set:
    seen, stack = set(), [commit]
    while stack:
        c = stack.pop()
        if c not in seen:
            seen.add(c)
            stack.extend(parents.get(c, ()))
    return seen


def merge_base(parents: dict, a: str, b: str) -> set:
    """All best common ancestors of commits ``a`` and ``b`` (what ``git merge-base --all``
    prints): common ancestors (a commit is its own ancestor) that are not a proper ancestor
    of another common ancestor. ``parents`` maps a commit id to its parent ids."""
    common = _ancestors(parents, a) & _ancestors(parents, b)
    hidden = set().union(*(_ancestors(parents, c) - {c} for c in common))  # proper ancestors
    return common - hidden


def ahead_behind(parents: dict, a: str, b: str) -> tuple:
    """``(ahead, behind)``: commits reachable from ``a`` but not ``b``, and from ``b`` but
    not ``a`` (git's "your branch is ahead by N and behind by M")."""
    left, right = _ancestors(parents, a), _ancestors(parents, b)
    return len(left - right), len(right - left)


class Repo:
    """Runs git in one folder with a clean, deterministic environment."""

    clock = [0]  # shared commit clock: fixed dates make runs reproducible

    def __init__(self, path: Path, timeout: float):
        self.path, self.timeout = path, timeout

    def run(self, *args: str, check: bool = True, stdin: str | None = None
            ) -> subprocess.CompletedProcess:
        Repo.clock[0] += 1
        date = f"2024-01-01T12:{Repo.clock[0] // 60:02d}:{Repo.clock[0] % 60:02d}+00:00"
        env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
               "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": "true",
               "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        p = subprocess.run(["git", "-c", "merge.conflictStyle=merge", *args], cwd=self.path,
                           env=env, capture_output=True, text=True, timeout=self.timeout,
                           input=stdin)
        if check and p.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed: {p.stderr.strip()}")
        return p

    def __call__(self, *args: str) -> str:
        return self.run(*args).stdout.strip()

    def commit(self, msg: str, files: dict, append: bool = False) -> str:  # files: name -> text
        for name, text in files.items():
            with open(self.path / name, "a" if append else "w") as f:
                f.write(text)
        self("add", *files)
        self("commit", "-q", "-m", msg)
        return self("rev-parse", "HEAD")

    def parents(self) -> dict:
        lines = self("rev-list", "--parents", "--all").splitlines()
        return {ln.split()[0]: ln.split()[1:] for ln in lines}


def clone(origin: Path, dest: Path, who: str, timeout: float) -> Repo:
    Repo(dest.parent, timeout)("clone", "-q", str(origin), dest.name)
    r = Repo(dest, timeout)
    r("config", "user.name", who)  # local config only: nothing global is touched
    r("config", "user.email", f"{who}@example.com")
    return r


def body(lab: kit.Lab) -> None:
    cfg = Config(feature_commits=lab.pick(2, 4))
    if shutil.which("git") is None:
        lab.check("git is installed", False, "git on PATH", "not found")
        return
    lab.log("  " + subprocess.run(["git", "--version"], capture_output=True, text=True).stdout)
    with tempfile.TemporaryDirectory(prefix="git-lab-", ignore_cleanup_errors=True) as tmp:
        _scenario(lab, cfg, Path(tmp))


def _scenario(lab: kit.Lab, cfg: Config, tmp: Path) -> None:
    Repo(tmp, cfg.timeout_s)("init", "-q", "--bare", "-b", "main", "origin.git")
    origin = tmp / "origin.git"
    alice = clone(origin, tmp / "alice", "alice", cfg.timeout_s)
    alice("symbolic-ref", "HEAD", "refs/heads/main")  # the clone of an empty repo is unborn
    base = alice.commit("initial commit", {"config.yaml": "model: mlp\nlr: 0.01\nepochs: 10\n",
                                           "requirements.txt": "numpy>=1.26\ntorch>=2.4\n",
                                           "train.py": "print('train')\n"})
    alice("push", "-q", "-u", "origin", "main")

    lab.section("feature branch vs main: diverged history and a conflicting merge")
    alice("switch", "-q", "-c", "feature/lr")
    alice.commit("lower the learning rate", {"config.yaml": "model: mlp\nlr: 0.001\nepochs: 10\n"})
    feature = alice.commit("add tqdm", {"requirements.txt": "tqdm>=4.66\n"}, append=True)
    alice("switch", "-q", "main")
    alice.commit("raise the learning rate", {"config.yaml": "model: mlp\nlr: 0.03\nepochs: 10\n"})
    alice.commit("add rich", {"requirements.txt": "rich>=13\n"}, append=True)
    main_before = alice.commit("reword log line", {"train.py": "print('training')\n"})
    with lab.guard("ahead_behind runs (diverged)"):
        git = alice("rev-list", "--left-right", "--count", f"{feature}...{main_before}").split()
        lab.check_equal("ahead_behind(feature, main) = git rev-list --left-right --count",
                        ahead_behind(alice.parents(), feature, main_before), tuple(map(int, git)))
    with lab.guard("merge_base runs (diverged)"):
        lab.check_equal("merge_base(feature, main) = git merge-base --all",
                        merge_base(alice.parents(), feature, main_before),
                        set(alice("merge-base", "--all", feature, main_before).split()))
    merge = alice.run("merge", "--no-ff", "-m", "Merge feature/lr", "feature/lr", check=False)
    conflicted = alice("diff", "--name-only", "--diff-filter=U").split()
    lab.check("git merge stops with a conflict", merge.returncode != 0, "exit != 0",
              f"exit {merge.returncode}")
    lab.check_equal("conflicted files (git diff --diff-filter=U)", conflicted,
                    ["config.yaml", "requirements.txt"])
    stage = {(f, s): str(tmp / f"{f}.stage{s}") for f in conflicted for s in (1, 2, 3)}
    for (f, s), path in stage.items():  # index stages 1 (base), 2 (ours), 3 (theirs) as files
        Path(path).write_text(alice.run("show", f":{s}:{f}").stdout)
    with lab.guard("resolve_conflicts runs"):
        for prefer in ("ours", "theirs", "union"):
            mine = [resolve_conflicts((alice.path / f).read_text(), prefer) for f in conflicted]
            oracle = [alice.run("merge-file", "-p", f"--{prefer}", stage[f, 2], stage[f, 1],
                                stage[f, 3], check=False).stdout for f in conflicted]
            lab.check_equal(f"resolve_conflicts(prefer={prefer}) = git merge-file --{prefer}",
                            mine, oracle)
        # config.yaml: the reviewed lr (theirs) wins; requirements.txt: keep both additions
        for f, prefer in (("config.yaml", "theirs"), ("requirements.txt", "union")):
            (alice.path / f).write_text(resolve_conflicts((alice.path / f).read_text(), prefer))
    alice("add", "config.yaml", "requirements.txt")
    done = alice.run("commit", "--no-edit", "-q", check=False)
    lab.check_equal("no unmerged index entries after the resolution (git ls-files -u)",
                    (done.returncode, alice("ls-files", "-u")), (0, ""))
    lab.check_equal("merge commit's parents are (main, feature) (rev-parse HEAD^1 HEAD^2)",
                    alice("rev-parse", "HEAD^1", "HEAD^2").split(), [main_before, feature])
    lab.check_equal("resolved files as intended (git show HEAD:...)",
                    [alice("show", "HEAD:config.yaml").splitlines()[1],
                     alice("show", "HEAD:requirements.txt").splitlines()[2:]],
                    ["lr: 0.001", ["rich>=13", "tqdm>=4.66"]])
    alice("push", "-q", "origin", "main")

    lab.section("collaboration: a rejected push, pull --rebase, rebase + fast-forward")
    alice("switch", "-q", "-c", "feature/data")
    old = [alice.commit(f"data step {i}", {f"data{i}.py": f"step = {i}\n"})
           for i in range(cfg.feature_commits)]
    alice("switch", "-q", "main")
    bob = clone(origin, tmp / "bob", "bob", cfg.timeout_s)
    bob.commit("docs: usage", {"README.md": "# usage\n"})
    bob("push", "-q", "origin", "main")
    alice.commit("fix the seed", {"train.py": "print('training')\nSEED = 0\n"})
    rejected = alice.run("push", "origin", "main", check=False)
    lab.check("push without pulling is rejected (not a fast-forward)", rejected.returncode != 0,
              "exit != 0", f"exit {rejected.returncode}")
    alice("fetch", "-q")
    with lab.guard("ahead_behind runs (after fetch)"):
        git = alice("rev-list", "--left-right", "--count", "main...origin/main").split()
        tips = alice("rev-parse", "main"), alice("rev-parse", "origin/main")
        lab.check_equal("ahead_behind(main, origin/main) = (1, 1) = git's count",
                        ahead_behind(alice.parents(), *tips), tuple(map(int, git)))
    alice("pull", "-q", "--rebase", "origin", "main")
    pushed = alice.run("push", "-q", "origin", "main", check=False)
    lab.check_equal("push after pull --rebase succeeds", pushed.returncode, 0)
    alice("switch", "-q", "feature/data")
    alice("rebase", "-q", "main")
    new = alice("rev-list", "--reverse", "main..feature/data").split()
    pid = {c: alice.run("patch-id", "--stable", stdin=alice.run("show", c).stdout).stdout[:40]
           for c in new + old}  # patch id: a hash of the diff, independent of parent and date
    lab.check_equal("rebase replays the same patches (git patch-id)", [pid[c] for c in new],
                    [pid[c] for c in old])
    lab.check("rebase makes new commits", set(new).isdisjoint(old), "new ids", new)
    with lab.guard("merge_base runs (after rebase)"):
        lab.check_equal("after rebase the merge base is main's tip (= git merge-base)",
                        merge_base(alice.parents(), new[-1], alice("rev-parse", "main")),
                        set(alice("merge-base", "--all", new[-1], "main").split()))
    alice("switch", "-q", "main")
    ff = alice.run("merge", "-q", "--ff-only", "feature/data", check=False)
    alice("push", "-q", "origin", "main")
    lab.check_equal("fast-forward merge: main == feature/data",
                    (ff.returncode, alice("rev-parse", "main")), (0, new[-1]))
    o = Repo(origin, cfg.timeout_s)
    counts = [o("rev-list", *flag, "--count", "main")
              for flag in (["--merges"], ["--first-parent"], [])]
    lab.check_equal("origin/main history: merges, first-parent length, all commits", counts,
                    ["1", str(7 + cfg.feature_commits), str(9 + cfg.feature_commits)])
    graph = o("log", "--graph", "--format=%s", "main")
    forks, joins = (sum(ln.startswith(m) for ln in graph.splitlines()) for m in ("|\\", "|/"))
    lab.check("log --graph draws one fork and one join for the merge", (forks, joins) == (1, 1),
              "|\\ once, |/ once", graph.replace("\n", " / ")[:200])
    lab.save_file("history.txt").write_text(graph + "\n")
    lab.log(graph)

    lab.section("criss-cross merge: two best common ancestors")
    alice("switch", "-q", "-c", "x", base)
    x1 = alice.commit("x1", {"x.txt": "x\n"})
    alice("switch", "-q", "-c", "y", base)
    y1 = alice.commit("y1", {"y.txt": "y\n"})
    alice("merge", "-q", "--no-ff", "-m", "y merges x1", x1)
    alice("switch", "-q", "x")
    alice("merge", "-q", "--no-ff", "-m", "x merges y1", y1)
    xt, yt = alice("rev-parse", "x"), alice("rev-parse", "y")
    with lab.guard("merge_base runs (criss-cross)"):
        git_mb = set(alice("merge-base", "--all", xt, yt).split())
        lab.check_equal("criss-cross: merge_base = git merge-base --all (two bases)",
                        merge_base(alice.parents(), xt, yt), git_mb)
        lab.metric("criss_cross_merge_bases", len(git_mb))
    _plot(lab, alice)


def _plot(lab: kit.Lab, repo: Repo) -> None:
    order = repo("rev-list", "--topo-order", "--reverse", "--all").split()
    parents = repo.parents()
    lanes = {}
    for lane, ref in enumerate(("main", "feature/lr", "x", "y")):
        for c in repo("rev-list", "--first-parent", ref).split():
            lanes.setdefault(c, lane)
    pos = {c: (i, lanes.get(c, 4)) for i, c in enumerate(order)}
    fig, ax = plt.subplots(figsize=(8, 3.4))
    for c in order:
        for p in parents[c]:
            ax.plot([pos[p][0], pos[c][0]], [pos[p][1], pos[c][1]], color="grey", zorder=1)
        ax.annotate(repo("log", "-1", "--format=%s", c)[:18], pos[c], fontsize=6,
                    rotation=35, xytext=(2, 4), textcoords="offset points")
    ax.scatter([pos[c][0] for c in order], [pos[c][1] for c in order],
               c=[pos[c][1] for c in order], cmap="tab10", vmin=0, vmax=9, zorder=2)
    ax.set_yticks(range(4), ["main", "feature/lr", "x", "y"])
    ax.set(xlabel="commits in topological order", ylim=(-0.5, 4), title="alice's history")
    lab.savefig(fig, "history.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("git-collaboration", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
