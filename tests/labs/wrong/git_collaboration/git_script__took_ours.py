"""Bug: resolves with checkout --ours, which during a rebase is main's side: the batch size
is lost."""

from git_collaboration import BAD_COMMIT


def git_script(repo):
    repo.git("fetch", "origin")
    repo.git("rebase", "origin/main", check=False)  # stops at the conflict in config.yaml
    repo.git("checkout", "--ours", "config.yaml")
    repo.git("add", "config.yaml")
    repo.git("rebase", "--continue")
    repo.git("push", "--force-with-lease", "origin", "feature/batch")
    repo.git("switch", "main")
    repo.git("merge", "--ff-only", "origin/main")
    bad = repo.git("log", "--format=%H", "--fixed-strings", "--grep", BAD_COMMIT, "main")
    repo.git("revert", "--no-edit", bad)
    repo.git("push", "origin", "main")
