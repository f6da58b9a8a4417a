"""Bug: edits train.py back by hand instead of git revert: history does not say what was undone."""

from git_collaboration import RESOLVED_CONFIG


def git_script(repo):
    repo.git("fetch", "origin")
    repo.git("rebase", "origin/main", check=False)  # stops at the conflict in config.yaml
    repo.write("config.yaml", RESOLVED_CONFIG)
    repo.git("add", "config.yaml")
    repo.git("rebase", "--continue")
    repo.git("push", "--force-with-lease", "origin", "feature/batch")
    repo.git("switch", "main")
    repo.git("merge", "--ff-only", "origin/main")
    repo.write("train.py", repo.read("train.py").replace("sgd", "adam"))
    repo.git("commit", "-am", "Go back to Adam")
    repo.git("push", "origin", "main")
