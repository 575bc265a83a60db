//! Application and component variables as Spin resolves them: an application variable takes
//! its value from explicit host overrides, then the environment (`SPIN_VARIABLE_<NAME>`), then
//! its `default`; a `required` variable without a value fails loading. Component variables are
//! templates over application variables (`"{{ jwt_secret }}"`, or literal text) expanded at
//! load. Also the host side of `fermyon:spin/variables@2.0.0`.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, bail, ensure};

use crate::bindings::fermyon::spin::variables;
use crate::instance::{HostCall, HostState};
use crate::manifest::Manifest;

/// Resolved application variables, by name.
#[derive(Debug, Clone, Default)]
pub struct AppVariables {
    values: HashMap<String, String>,
}

impl AppVariables {
    /// Resolves every `[variables]` entry of `manifest`.
    pub fn resolve(
        manifest: &Manifest,
        overrides: &HashMap<String, String>,
    ) -> anyhow::Result<AppVariables> {
        let mut values = HashMap::new();
        let mut missing = Vec::new();
        for (name, decl) in &manifest.variables {
            validate_name(name).with_context(|| format!("invalid variable name {name:?}"))?;
            let env_name = format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase());
            let value = overrides
                .get(name)
                .cloned()
                .or_else(|| std::env::var(&env_name).ok())
                .or_else(|| decl.default.clone());
            match value {
                Some(v) => {
                    values.insert(name.clone(), v);
                }
                None if decl.required => missing.push(format!("{name} (set {env_name})")),
                None => {}
            }
        }
        for name in overrides.keys() {
            ensure!(
                manifest.variables.contains_key(name),
                "variable override {name:?} is not declared in [variables]"
            );
        }
        if !missing.is_empty() {
            bail!(
                "required application variable(s) have no value: {}",
                missing.join(", ")
            );
        }
        Ok(AppVariables { values })
    }

    /// Expands a template such as `"Bearer {{ token }}"` against the application variables.
    pub fn expand(&self, template: &str) -> anyhow::Result<String> {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find("}}")
                .with_context(|| format!("unclosed '{{{{' in template {template:?}"))?;
            let name = after[..end].trim();
            let value = self.values.get(name).with_context(|| {
                format!("template {template:?} refers to variable {name:?}, which has no value or is not declared in [variables]")
            })?;
            out.push_str(value);
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Expands each component variable template.
    pub fn component_values(
        &self,
        component_id: &str,
        templates: &BTreeMap<String, String>,
    ) -> anyhow::Result<HashMap<String, String>> {
        templates
            .iter()
            .map(|(name, template)| {
                validate_name(name).with_context(|| {
                    format!("component '{component_id}': invalid variable name {name:?}")
                })?;
                let value = self
                    .expand(template)
                    .with_context(|| format!("component '{component_id}' variable {name:?}"))?;
                Ok((name.clone(), value))
            })
            .collect()
    }
}

/// Spin's variable name rule: lower-case ASCII letters, digits and single underscores,
/// starting with a letter.
pub fn validate_name(name: &str) -> anyhow::Result<()> {
    ensure!(!name.is_empty(), "must not be empty");
    ensure!(
        name.starts_with(|c: char| c.is_ascii_lowercase()),
        "must start with a lower-case letter"
    );
    ensure!(
        name.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "may contain only lower-case letters, digits and '_'"
    );
    ensure!(
        !name.contains("__") && !name.ends_with('_'),
        "must not contain '__' or end with '_'"
    );
    Ok(())
}

impl variables::Host for HostState {
    async fn get(&mut self, name: String) -> wasmtime::Result<Result<String, variables::Error>> {
        self.host_call(HostCall::Variable)?;
        if let Err(e) = validate_name(&name) {
            return Ok(Err(variables::Error::InvalidName(format!("{name:?}: {e}"))));
        }
        Ok(match self.component.variables.get(&name) {
            Some(value) => Ok(value.clone()),
            None => Err(variables::Error::Undefined(format!(
                "no variable for {:?}.{name:?}",
                self.component.id
            ))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn manifest() -> Manifest {
        Manifest::parse(
            r#"
spin_manifest_version = 2
[application]
name = "t"
[variables]
greeting = { default = "hello" }
token = { required = true }
"#,
            Path::new("."),
        )
        .unwrap()
    }

    #[test]
    fn override_beats_default_and_templates_expand() {
        let overrides = HashMap::from([
            ("token".to_string(), "t0k".to_string()),
            ("greeting".to_string(), "hey".to_string()),
        ]);
        let vars = AppVariables::resolve(&manifest(), &overrides).unwrap();
        assert_eq!(
            vars.expand("{{ greeting }}, {{token}}!").unwrap(),
            "hey, t0k!"
        );
        assert_eq!(vars.expand("literal").unwrap(), "literal");
    }

    #[test]
    fn missing_required_variable_names_it() {
        let err = AppVariables::resolve(&manifest(), &HashMap::new()).unwrap_err();
        assert!(format!("{err:#}").contains("token"), "{err:#}");
    }

    #[test]
    fn names_follow_spin_rules() {
        assert!(validate_name("jwt_secret").is_ok());
        assert!(validate_name("JWT").is_err());
        assert!(validate_name("a__b").is_err());
        assert!(validate_name("1a").is_err());
    }
}
