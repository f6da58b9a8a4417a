"""Bug: merges origin/main into the feature branch instead of rebasing it."""

from git_collaboration import BAD_COMMIT, RESOLVED_CONFIG


def git_script(repo):
    repo.git("fetch", "origin")
    repo.git("merge", "origin/main", check=False)  # stops at the conflict in config.yaml
    repo.write("config.yaml", RESOLVED_CONFIG)
    repo.git("add", "config.yaml")
    repo.git("commit", "--no-edit")
    repo.git("push", "origin", "feature/batch")
    repo.git("switch", "main")
    repo.git("merge", "--ff-only", "origin/main")
    bad = repo.git("log", "--format=%H", "--fixed-strings", "--grep", BAD_COMMIT, "main")
    repo.git("revert", "--no-edit", bad)
    repo.git("push", "origin", "main")
