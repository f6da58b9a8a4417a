"""Bug: resets main to before the bad commit and force-pushes: bob's later commit is gone."""

from git_collaboration import BAD_COMMIT, RESOLVED_CONFIG


def git_script(repo):
    repo.git("fetch", "origin")
    repo.git("rebase", "origin/main", check=False)  # stops at the conflict in config.yaml
    repo.write("config.yaml", RESOLVED_CONFIG)
    repo.git("add", "config.yaml")
    repo.git("rebase", "--continue")
    repo.git("push", "--force-with-lease", "origin", "feature/batch")
    repo.git("switch", "main")
    repo.git("merge", "--ff-only", "origin/main")
    bad = repo.git("log", "--format=%H", "--fixed-strings", "--grep", BAD_COMMIT, "main")
    repo.git("reset", "--hard", bad + "~1")
    repo.git("push", "--force", "origin", "main")
