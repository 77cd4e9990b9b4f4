//! ISO 3166-1 alpha-3 country codes, for `countryIsoCode`.
//!
//! The officially assigned codes of the standard (249 entries, as published
//! by the ISO 3166 Maintenance Agency and mirrored by Debian's `iso-codes`).
//! User-assigned codes such as `XKX` are not part of the standard and are
//! refused.

/// Every officially assigned ISO 3166-1 alpha-3 code, sorted.
pub const ISO_3166_ALPHA3: &[&str] = &[
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF",
    "ATG", "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS",
    "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF",
    "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV",
    "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM", "DZA",
    "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM",
    "GAB", "GBR", "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD",
    "GRL", "GTM", "GUF", "GUM", "GUY", "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN",
    "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ",
    "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY", "LCA", "LIE",
    "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX",
    "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS",
    "MWI", "MYS", "MYT", "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL",
    "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK",
    "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP",
    "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR",
    "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL",
    "TKM", "TLS", "TON", "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY",
    "USA", "UZB", "VAT", "VCT", "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF",
    "ZMB", "ZWE",
];

/// Whether `code` is an officially assigned ISO 3166-1 alpha-3 code.
///
/// Capitals only, as the standard writes them (`GBR`, not `gbr`).
///
/// ```
/// use verify_core::dotdigital::is_iso_3166_alpha3;
/// assert!(is_iso_3166_alpha3("GBR"));
/// assert!(!is_iso_3166_alpha3("XYZ"));
/// assert!(is_iso_3166_alpha3("gbr")); // letter case does not matter
/// ```
pub fn is_iso_3166_alpha3(code: &str) -> bool {
    let [a, b, c] = code.as_bytes() else {
        return false;
    };
    let upper = [
        a.to_ascii_uppercase(),
        b.to_ascii_uppercase(),
        c.to_ascii_uppercase(),
    ];
    std::str::from_utf8(&upper).is_ok_and(|u| ISO_3166_ALPHA3.binary_search(&u).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_complete_and_well_formed() {
        assert_eq!(ISO_3166_ALPHA3.len(), 249);
        assert!(ISO_3166_ALPHA3.windows(2).all(|w| w[0] < w[1]));
        assert!(
            ISO_3166_ALPHA3
                .iter()
                .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
        );
    }

    #[test]
    fn known_and_unknown_codes() {
        for ok in [
            "GBR", "USA", "DEU", "FRA", "ABW", "ZWE", "SSD", "BES", "CUW", "SXM",
        ] {
            assert!(is_iso_3166_alpha3(ok), "{ok}");
        }
        // Three capitals, but not assigned (or withdrawn, or user-assigned).
        for bad in [
            "", "GB", "GBRR", "UK", "ABC", "XKX", "ANT", "SCG", "YUG", "GB1", "gb1", "ébr",
        ] {
            assert!(!is_iso_3166_alpha3(bad), "{bad}");
        }
        // The sandbox and the decisions page match without regard to case.
        for ok in ["gbr", "Gbr", "usA"] {
            assert!(is_iso_3166_alpha3(ok), "{ok}");
        }
    }
}
