# The terraform ruleset (bundled with tflint) with the rules the Terraform AWS Modules community
# enables. The aws ruleset is not used: tflint-ruleset-aws cannot be installed from the package
# registries this project's machines reach.
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "recommended"
}

rule "terraform_comment_syntax" { enabled = true }
rule "terraform_documented_outputs" { enabled = true }
rule "terraform_documented_variables" { enabled = true }
rule "terraform_typed_variables" { enabled = true }
rule "terraform_naming_convention" { enabled = true }
rule "terraform_standard_module_structure" { enabled = true }
rule "terraform_required_version" { enabled = true }
rule "terraform_required_providers" { enabled = true }
rule "terraform_unused_declarations" { enabled = true }
rule "terraform_unused_required_providers" { enabled = true }
rule "terraform_deprecated_index" { enabled = true }
rule "terraform_deprecated_interpolation" { enabled = true }
rule "terraform_empty_list_equality" { enabled = true }
rule "terraform_module_pinned_source" { enabled = true }
rule "terraform_workspace_remote" { enabled = true }
