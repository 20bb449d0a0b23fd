# shellcheck shell=bash disable=SC2034
# Versions of every tool the test toolchain installs, in one place. The Flyway version is also the
# module's default (variables.tf); a test keeps the two equal.

# Terraform: one on PATH is used when it is at least this version.
TERRAFORM_MIN_VERSION="1.9.0"
# Otherwise this release is built from the Go module proxy.
TERRAFORM_GO_VERSION="v1.13.3"

# hashicorp/aws has no Go-importable v6 tags (its module path lacks /v6), so it is pinned to a
# release-train commit on main, which Go names by pseudo-version. The version label is the one in
# that commit's version/VERSION file; Terraform resolves ">= 6.0" against it.
AWS_PROVIDER_VERSION="6.47.1"
AWS_PROVIDER_GO_VERSION="v1.60.1-0.20260602190131-5f2286d6d836"

TFLINT_GO_VERSION="v0.64.0"

# Reads a module's variables and outputs as JSON for the README's generated tables (terraform-docs
# itself is not served by the Go module proxy here). HashiCorp tags no releases of it.
TERRAFORM_CONFIG_INSPECT_GO_VERSION="v0.0.0-20260904064934-75d64de68c31"

MOTO_VERSION="5.2.5"
CHECKOV_VERSION="3.3.30"

# Flyway CLI without bundled JRE, from Maven Central (org.flywaydb:flyway-commandline:tar.gz).
# 10.21.0 is the newest release published there as a CLI archive; later ones ship jars only.
FLYWAY_VERSION="10.21.0"
FLYWAY_SHA256="2627c4f1cdd392beb6d16bc954e269f45369b64099d28246a87d9b9e449cb905"
# Fetched with Maven's own client (mvn dependency:copy), so no repository host is named here.
FLYWAY_MAVEN_ARTIFACT="org.flywaydb:flyway-commandline:${FLYWAY_VERSION}:tar.gz"

POSTGRESQL_MAJOR="15"
