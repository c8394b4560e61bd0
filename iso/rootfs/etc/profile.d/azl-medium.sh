# Shells on the installer medium see the medium's repository like the launcher does.
export AZL_MEDIUM_REPO=/run/install/repo
