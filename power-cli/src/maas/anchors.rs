//! The known pieces of MAAS's files around each insertion point, per release, for `maas patch`
//! without `--maas-src`. Each piece is verbatim from MAAS's release branches (the lines were
//! checked to be identical across each range, see docs/maas.md "How patches find their place");
//! `@@key@@` marks where edit `key` goes, `@@key@@text` a line it rewrites. Line numbers are
//! approximate hints: `git apply` and `patch` find the lines by content.

use super::patch::{Original, Piece};
use super::target::{Generation, MaasTarget};

/// Pieces of one file for a range of releases (inclusive).
struct Known {
    from: (u32, u32),
    to: (u32, u32),
    path: &'static str,
    pieces: &'static [(usize, &'static [&'static str])],
}

const V2_REGISTRY: &[(usize, &[&str])] = &[
    (
        44,
        &[
            "# Register all the power drivers.",
            "@@import@@",
            "power_drivers = [",
            "    AMTPowerDriver(),",
            "    APCPowerDriver(),",
            "    DLIPowerDriver(),",
        ],
    ),
    (
        62,
        &[
            "    WedgePowerDriver(),",
            "@@entry@@",
            "]",
            "for driver in power_drivers:",
            "    PowerDriverRegistry.register_item(driver.name, driver)",
        ],
    ),
];

const KNOWN: &[Known] = &[
    Known {
        from: (2014, 2),
        to: (2014, 2),
        path: "src/maasserver/power_parameters.py",
        pieces: &[(
            213,
            &[
                "            make_json_field('power_pass', \"Power password\"),",
                "        ],",
                "    },",
                "@@schema@@",
                "]",
                "",
                "",
                "FIELD_TYPE_MAPPINGS = {",
            ],
        )],
    },
    Known {
        from: (2014, 2),
        to: (2014, 2),
        path: "src/provisioningserver/enum.py",
        pieces: &[
            (
                44,
                &[
                    "        \"sm15k\": \"SeaMicro 15000\",",
                    "        \"amt\": \"Intel AMT\",",
                    "        \"dli\": \"Digital Loggers, Inc. PDU\",",
                    "@@label@@",
                    "        }",
                    "",
                    "",
                    "# FIXME: This enum is deprecated but left in place until the last",
                ],
            ),
            (
                81,
                &[
                    "    # Intel Active Management Technology",
                    "    AMT = 'amt'",
                    "",
                    "    # Digital Loggers, Inc. PDU",
                    "    DLI = 'dli'",
                    "@@const@@",
                    "",
                    "",
                    "# Django 'Choices' format structure for its field selection mechanism.",
                ],
            ),
        ],
    },
    Known {
        from: (1, 5),
        to: (1, 8),
        path: "src/provisioningserver/power_schema.py",
        pieces: &[(330, &["        ],", "    },", "@@schema@@", "]"])],
    },
    Known {
        from: (1, 7),
        to: (1, 7),
        path: "src/provisioningserver/rpc/power.py",
        pieces: &[(64, &["@@query@@QUERY_POWER_TYPES = ['amt', 'ipmi', 'mscm', 'sm15k', 'ucsm', 'virsh']", "", ""])],
    },
    Known {
        from: (1, 8),
        to: (1, 8),
        path: "src/provisioningserver/rpc/power.py",
        pieces: &[(
            76,
            &[
                "    'vmware',",
                "@@query@@",
                "]",
                "",
                "",
                "# Timeout for change_power_state(). We set it to 5 minutes by default,",
            ],
        )],
    },
    Known {
        from: (1, 9),
        to: (1, 9),
        path: "src/provisioningserver/power/schema.py",
        pieces: &[(
            400,
            &["                'lpar', \"HMC logical partition\"),", "        ],", "    },", "@@schema@@", "]"],
        )],
    },
    Known {
        from: (1, 9),
        to: (1, 9),
        path: "src/provisioningserver/power/__init__.py",
        pieces: &[(
            40,
            &[
                "    'vmware',",
                "@@query@@",
                "]",
                "",
                "",
                "# We could use a Registry here, but it seems kind of like overkill.",
            ],
        )],
    },
    Known {
        from: (1, 9),
        to: (1, 9),
        path: "src/provisioningserver/drivers/power/__init__.py",
        pieces: &[
            (
                335,
                &[
                    "from provisioningserver.drivers.power.vmware import VMwarePowerDriver",
                    "",
                    "@@import@@",
                    "registered_power_drivers = [",
                    "    APCPowerDriver(),",
                ],
            ),
            (
                352,
                &[
                    "unregistered_power_drivers = [",
                    "    AMTPowerDriver(),",
                    "    EtherWakePowerDriver(),",
                    "    FenceCDUPowerDriver(),",
                    "@@entry@@",
                    "]",
                    "power_drivers_by_name = {",
                ],
            ),
        ],
    },
    Known { from: (2, 2), to: (3, 99), path: "src/provisioningserver/drivers/power/registry.py", pieces: V2_REGISTRY },
    Known {
        from: (3, 6),
        to: (3, 99),
        path: "src/maasservicelayer/enums/power_drivers.py",
        pieces: &[(
            27,
            &[
                "    WEBHOOK = \"webhook\"",
                "    WEDGE = \"wedge\"",
                "@@enum@@",
                "",
                "    def __str__(self):",
                "        return str(self.value)",
            ],
        )],
    },
];

/// The known pieces of `path` for `target`.
pub(crate) fn fragment(target: MaasTarget, path: &str) -> Result<Original, String> {
    let version = if target.generation == Generation::Trunk2014 { (2014, 2) } else { target.version };
    KNOWN
        .iter()
        .find(|k| k.path == path && k.from <= version && version <= k.to)
        .map(|k| {
            Original::Fragment(
                k.pieces
                    .iter()
                    .map(|(first_line, lines)| Piece {
                        first_line: *first_line,
                        lines: lines.iter().map(|l| (*l).to_owned()).collect(),
                    })
                    .collect(),
            )
        })
        .ok_or_else(|| format!("powerplug knows no fragment of {path} for {target}; pass --maas-src with a checkout"))
}
