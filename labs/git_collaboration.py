"""Git and collaborative workflows: fetch, rebase, resolve a conflict, revert, push.

Git history is a DAG of commits; a branch is a movable name for one commit. In GitHub flow
you keep a short feature branch up to date by *rebasing* it onto the latest ``main``: git
replays your commits on top of it, same patches, new commits, linear history (a merge would
instead add a merge commit to your branch). When both sides changed the same lines git stops
with a *conflict*; with ``merge.conflictStyle = diff3`` the file shows ``<<<<<<<`` your
side... ``|||||||`` the common base... ``=======`` the other side... ``>>>>>>>``. During a
rebase "ours" is the branch you are rebasing *onto* and "theirs" is your own commit, so
``checkout --ours`` throws your change away. You resolve by writing the file as it should
be, ``git add`` it and ``git rebase --continue``; a rebased branch that was pushed before
needs ``git push --force-with-lease`` (safe: it refuses if someone else pushed meanwhile).
A bad commit that is already on a shared ``main`` is undone with ``git revert``: a new
commit, so nobody's history is rewritten (``reset`` + force-push would throw away others'
work).

The lab builds a real situation with the real ``git`` in a temp dir: a bare "origin", and
alice's clone on ``feature/batch``, pushed earlier; meanwhile bob pushed three commits to
``main``, one of which (``BAD_COMMIT``) broke training. You write ``git_script(repo)``, the
commands alice runs, and git's own state is the judge: ``merge-base --is-ancestor``,
``rev-list``, ``show BRANCH:FILE``, ``grep`` for conflict markers, ``status --porcelain``.

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

EXERCISES = ("git_script",)
BAD_COMMIT = "Switch the optimizer to SGD"  # subject of the commit to revert on main
FEATURE_COMMITS = ["Scale lr for batch size 64", "Log the batch size"]
RESOLVED_CONFIG = "model: mlp\nlr: 0.005\nbatch_size: 64\nepochs: 10\n"  # the agreed result
MARKERS = r"^(<<<<<<<|\|\|\|\|\|\|\||=======|>>>>>>>)( |$)"


class GitError(Exception):
    """A git command exited non-zero (``repo.git(..., check=True)``)."""


class Repo:
    """One working copy; ``git`` runs there with a clean, deterministic environment."""

    clock = [0]  # shared commit clock: fixed dates make every run's history the same

    def __init__(self, path: Path, timeout: float = 30.0) -> None:
        self.path, self.timeout = path, timeout

    def git(self, *args: str, check: bool = True) -> str:
        """Run ``git ARGS`` here; return stdout (stripped). ``check``: raise GitError on a
        non-zero exit, else return stdout + stderr so you can read what went wrong."""
        Repo.clock[0] += 1
        date = f"2024-01-01T12:{Repo.clock[0] // 60 % 60:02d}:{Repo.clock[0] % 60:02d}+00:00"
        env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
               "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": "true",
               "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        p = subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True,
                           text=True, timeout=self.timeout)
        if check and p.returncode != 0:
            raise GitError(f"git {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
        return (p.stdout + ("" if check else p.stderr)).strip()

    def ok(self, *args: str) -> bool:
        """Whether ``git ARGS`` exits 0 (e.g. ``merge-base --is-ancestor A B``)."""
        try:
            self.git(*args)
        except GitError:
            return False
        return True

    def read(self, name: str) -> str:
        """The text of a file in the working copy."""
        return (self.path / name).read_text()

    def write(self, name: str, text: str) -> None:
        """Write a file in the working copy (``git add`` it yourself)."""
        (self.path / name).write_text(text)

    def commit(self, msg: str, files: dict[str, str]) -> str:
        for name, text in files.items():
            self.write(name, text)
        self.git("add", *files)
        self.git("commit", "-q", "-m", msg)
        return self.git("rev-parse", "HEAD")


@dataclass
class Config:
    timeout_s: float = 30.0  # per git command


# ----------------------------------------------------------------- exercise
def git_script(repo: Repo) -> None:
    """The git commands alice runs in ``repo`` (her clone, on ``feature/batch``).

    Use ``repo.git(*args, check=True)``, ``repo.read(name)`` and ``repo.write(name, text)``.
    Required end state: ``feature/batch`` is rebased (no merge commit) onto origin's
    current ``main`` (fetch it first), keeps the ``FEATURE_COMMITS`` in that order, and its
    ``config.yaml`` is ``RESOLVED_CONFIG`` (main's lr, the feature's batch size); no file
    on either branch holds a conflict marker (the repo uses diff3 style); on ``main`` the
    commit ``BAD_COMMIT`` is undone by ``git revert`` (a new commit; no history rewritten,
    later commits kept); both branches are pushed to origin; the working tree is clean
    (nothing untracked, no rebase in progress).
    """
    repo.git("fetch", "origin")
    repo.git("rebase", "origin/main", check=False)  # stops at the conflict in config.yaml
    repo.write("config.yaml", RESOLVED_CONFIG)
    repo.git("add", "config.yaml")
    repo.git("rebase", "--continue")
    repo.git("push", "--force-with-lease", "origin", "feature/batch")
    repo.git("switch", "main")
    repo.git("merge", "--ff-only", "origin/main")
    bad = repo.git("log", "--format=%H", "--fixed-strings", "--grep", BAD_COMMIT, "main")
    repo.git("revert", "--no-edit", bad)
    repo.git("push", "origin", "main")


# ------------------------------------------------------------------ the scenario
def setup(tmp: Path, timeout: float) -> tuple[Repo, Repo, dict[str, str]]:
    """origin (bare), alice on feature/batch (pushed), bob's three commits on origin's main."""
    Repo(tmp, timeout).git("init", "-q", "--bare", "-b", "main", "origin.git")
    users = {}
    for who in ("alice", "bob"):
        Repo(tmp, timeout).git("clone", "-q", str(tmp / "origin.git"), who)
        users[who] = r = Repo(tmp / who, timeout)
        r.git("config", "user.name", who)  # local config only: nothing global is touched
        r.git("config", "user.email", f"{who}@example.com")
        r.git("symbolic-ref", "HEAD", "refs/heads/main")
    alice, bob = users["alice"], users["bob"]
    alice.git("config", "merge.conflictStyle", "diff3")
    train = "OPTIMIZER = 'adam'\n\n\ndef train(cfg):\n    return cfg\n"
    alice.commit("Initial commit", {"config.yaml": "model: mlp\nlr: 0.01\nbatch_size: 32\n"
                                                   "epochs: 10\n", "train.py": train,
                                    "README.md": "# trainer\n"})
    alice.git("push", "-q", "-u", "origin", "main")
    alice.git("switch", "-q", "-c", "feature/batch")
    alice.commit(FEATURE_COMMITS[0], {"config.yaml": "model: mlp\nlr: 0.02\nbatch_size: 64\n"
                                                     "epochs: 10\n"})
    alice.commit(FEATURE_COMMITS[1], {"train.py": train.replace(
        "return cfg", "print('batch size', cfg['batch_size'])\n    return cfg")})
    alice.git("push", "-q", "-u", "origin", "feature/batch")
    bob.git("pull", "-q", "origin", "main")
    bob.commit("Lower lr to 0.005 after the sweep",
               {"config.yaml": "model: mlp\nlr: 0.005\nbatch_size: 32\nepochs: 10\n"})
    ids = {"bad": bob.commit(BAD_COMMIT, {"train.py": train.replace("adam", "sgd")})}
    ids["tip"] = bob.commit("Document the usage", {"README.md": "# trainer\n\nRun train.py.\n"})
    bob.git("push", "-q", "origin", "main")
    return alice, Repo(tmp / "origin.git", timeout), ids


def body(lab: kit.Lab) -> None:
    cfg = Config()
    if shutil.which("git") is None:
        lab.skip("git is not installed", "apt-get install git")
    lab.log("  " + subprocess.run(["git", "--version"], capture_output=True, text=True).stdout)
    with tempfile.TemporaryDirectory(prefix="git-lab-", ignore_cleanup_errors=True) as tmp:
        alice, origin, ids = setup(Path(tmp), cfg.timeout_s)
        with lab.shown():  # what alice will meet, tried on a throwaway copy of her clone
            shutil.copytree(alice.path, Path(tmp) / "scratch", symlinks=True)
            scratch = Repo(Path(tmp) / "scratch", cfg.timeout_s)
            scratch.git("fetch", "-q", "origin")
            scratch.git("rebase", "origin/main", check=False)
            lab.check_equal("a rebase onto origin/main stops on config.yaml",
                            scratch.git("diff", "--name-only", "--diff-filter=U"), "config.yaml")
            lab.log("  config.yaml during that rebase (diff3 style):\n    "
                    + scratch.read("config.yaml").replace("\n", "\n    "))
        with lab.guard("git_script runs"):
            git_script(alice)
        _judge(lab, alice, origin, ids)


def _judge(lab: kit.Lab, alice: Repo, origin: Repo, ids: dict[str, str]) -> None:
    g = alice.git
    lab.section("git's own state after your script")
    ok = alice.ok("merge-base", "--is-ancestor", ids["tip"], "feature/batch")
    lab.check("feature/batch contains origin's main (merge-base --is-ancestor)", ok,
              "ancestor", "yes" if ok else "no", hint="git fetch before you rebase")
    merges = g("rev-list", "--merges", f"{ids['tip']}..feature/batch", check=False)
    lab.check_equal("feature/batch is linear: no merge commit (rev-list --merges)",
                    merges.splitlines(), [], hint="rebase replays your commits; merge adds one")
    lab.check_equal("the feature's commits, in order (log main..feature/batch)",
                    g("log", "--reverse", "--format=%s", "main..feature/batch",
                      check=False).splitlines(), FEATURE_COMMITS,
                    hint="git rebase --skip drops the commit that conflicted")
    lab.check_equal("config.yaml on feature/batch = RESOLVED_CONFIG (show feature/batch:...)",
                    g("show", "feature/batch:config.yaml", check=False), RESOLVED_CONFIG.strip(),
                    hint="during a rebase --ours is main's side and --theirs is yours")
    found = g("grep", "-n", "-E", MARKERS, "main", "feature/batch", check=False)
    lab.check_equal("no conflict marker on either branch (git grep, diff3's ||||||| too)",
                    found.splitlines(), [])
    kept = alice.ok("merge-base", "--is-ancestor", ids["tip"], "main")
    lab.check("main keeps its history: origin's old tip is an ancestor (no rewrite)", kept,
              "ancestor", "yes" if kept else "no: history rewritten",
              hint="git revert adds a commit; reset + force-push throws others' work away")
    files = (g("show", "main:train.py", check=False), g("show", "main:README.md", check=False))
    lab.check("on main SGD is undone and the later commit kept (train.py, README.md)",
              "'adam'" in files[0] and "'sgd'" not in files[0] and "Run train.py" in files[1],
              "adam, README with usage", f"{files[0].splitlines()[0]!r}, "
              f"{files[1].splitlines()[-1]!r}")
    reverts = g("log", "--format=%H %B", f"{ids['tip']}..main", check=False)
    lab.check("a commit on main says 'This reverts commit <BAD_COMMIT>' (git revert)",
              f"This reverts commit {ids['bad']}" in reverts, f"reverts {ids['bad'][:10]}",
              reverts[:120] or "no new commit on main")
    mine = g("rev-parse", "main", "feature/batch", check=False).split()
    theirs = origin.git("rev-parse", "main", "feature/batch", check=False).split()
    lab.check_equal("origin has both branches as alice has them (rev-parse)", theirs, mine,
                    hint="a rebased branch needs git push --force-with-lease")
    status = g("status", "--porcelain", "--untracked-files=all", check=False)
    rebasing = (alice.path / ".git" / "rebase-merge").exists() or \
        (alice.path / ".git" / "rebase-apply").exists()
    lab.check_equal("clean working tree, no rebase in progress (status --porcelain)",
                    (status.splitlines(), rebasing), ([], False))
    rows = []
    for ref in ("main", "feature/batch"):
        ahead, behind = g("rev-list", "--left-right", "--count", f"{ref}...origin/{ref}",
                          check=False).split() or ["?", "?"]
        rows.append([ref, g("log", "-1", "--format=%s", ref, check=False), ahead, behind,
                     len(g("rev-list", ref, check=False).split())])
    lab.table("branches", ["branch", "tip", "ahead of origin", "behind origin", "commits"], rows,
              title="alice's branches after your script")
    lab.save_file("history.txt").write_text(g("log", "--graph", "--oneline", "--all") + "\n")
    lab.conclude("Git itself confirms it: feature/batch was rebased onto the fetched main "
                 "with its two commits and the agreed config, the SGD commit was reverted "
                 "without rewriting main, and origin matches alice's branches.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("git-collaboration", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
