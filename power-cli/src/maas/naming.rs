//! The power type's name in MAAS: `pp_<driver>` by default, or `--name`. MAAS stores the type in
//! a 10-character column (`BMC.power_type`, `max_length=10`, in every generation), so names are
//! checked for length, charset and collisions with MAAS's own types before anything is emitted.

use super::python;

/// MAAS's longest accepted power type name.
pub(crate) const MAX_LEN: usize = 10;

/// Power types MAAS itself has shipped in some generation; a powerplug type never takes these.
const MAAS_TYPES: &[&str] = &[
    "amt",
    "apc",
    "dli",
    "eaton",
    "ether_wake",
    "fence_cdu",
    "hmc",
    "hmcz",
    "ipmi",
    "lxd",
    "manual",
    "moonshot",
    "mscm",
    "msftocs",
    "nova",
    "openbmc",
    "proxmox",
    "recs_box",
    "redfish",
    "sm15k",
    "ucsm",
    "virsh",
    "vmware",
    "webhook",
    "wedge",
    "raritan",
    "rsd",
];

/// A checked power type name with the identifiers derived from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TypeName(String);

impl TypeName {
    /// The default name for `driver`, or `explicit` when given; checked either way.
    pub(crate) fn choose(driver: &str, explicit: Option<&str>) -> Result<Self, String> {
        let name = explicit.map_or_else(|| format!("pp_{driver}"), str::to_owned);
        if name.is_empty() || name.len() > MAX_LEN {
            let hint = if explicit.is_none() { "; pass a shorter one with --name" } else { "" };
            return Err(format!(
                "power type name `{name}` is {} characters; MAAS stores power types in a {MAX_LEN}-character column{hint}",
                name.len()
            ));
        }
        if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            || !name.as_bytes()[0].is_ascii_lowercase()
        {
            return Err(format!(
                "power type name `{name}` must be lowercase letters, digits and _, starting with a letter"
            ));
        }
        if MAAS_TYPES.contains(&name.as_str()) {
            return Err(format!(
                "power type name `{name}` is one of MAAS's own power types; choose another with --name"
            ));
        }
        Ok(Self(name))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The Python class name of the 2.x driver (`PpDliPowerDriver`).
    pub(crate) fn class(&self) -> String {
        format!("{}PowerDriver", python::camel(&self.0))
    }

    /// The constant name in `POWER_TYPE` / `PowerTypeEnum` (`PP_DLI`).
    pub(crate) fn constant(&self) -> String {
        self.0.to_ascii_uppercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fit_maas() {
        let n = TypeName::choose("sm15k", None).unwrap();
        assert_eq!(
            (n.as_str(), n.class().as_str(), n.constant().as_str()),
            ("pp_sm15k", "PpSm15kPowerDriver", "PP_SM15K")
        );
        assert!(TypeName::choose("verylongname", None).unwrap_err().contains("--name"));
        assert!(TypeName::choose("x", Some("dli")).unwrap_err().contains("MAAS's own"));
        assert!(TypeName::choose("x", Some("Bad-Name")).is_err());
        assert_eq!(TypeName::choose("x", Some("mydli")).unwrap().as_str(), "mydli");
    }
}
