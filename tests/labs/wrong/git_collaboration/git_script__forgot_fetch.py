"""Bug: never fetches: origin/main is stale, so nothing is rebased and the bad commit is
not found."""

from git_collaboration import BAD_COMMIT, RESOLVED_CONFIG


def git_script(repo):
    repo.git("rebase", "origin/main", check=False)  # stops at the conflict in config.yaml
    repo.write("config.yaml", RESOLVED_CONFIG)
    repo.git("add", "config.yaml")
    repo.git("rebase", "--continue", check=False)
    repo.git("push", "--force-with-lease", "origin", "feature/batch")
    repo.git("switch", "main")
    repo.git("merge", "--ff-only", "origin/main")
    bad = repo.git("log", "--format=%H", "--fixed-strings", "--grep", BAD_COMMIT, "main")
    if bad:
        repo.git("revert", "--no-edit", bad)
    repo.git("push", "origin", "main")
