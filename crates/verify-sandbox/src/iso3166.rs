//! The officially assigned ISO 3166-1 alpha-3 country codes, for dotdigital's
//! `countryIsoCode`.
//!
//! The list is the sandbox's own (kept sorted for a binary search); it holds the 249
//! officially assigned codes and none of the reserved, transitional or user-assigned ones
//! (so no `XXX`, `EUR` or `UNK`).

/// Every officially assigned ISO 3166-1 alpha-3 code, uppercase, sorted.
pub(crate) const ALPHA3: &[&str] = &[
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF",
    "ATG", "AUS", "AUT", "AZE", //
    "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS", "BIH", "BLM", "BLR", "BLZ",
    "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", //
    "CAF", "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM",
    "CPV", "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", //
    "DEU", "DJI", "DMA", "DNK", "DOM", "DZA", //
    "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", //
    "FIN", "FJI", "FLK", "FRA", "FRO", "FSM", //
    "GAB", "GBR", "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD",
    "GRL", "GTM", "GUF", "GUM", "GUY", //
    "HKG", "HMD", "HND", "HRV", "HTI", "HUN", //
    "IDN", "IMN", "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA", //
    "JAM", "JEY", "JOR", "JPN", //
    "KAZ", "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", //
    "LAO", "LBN", "LBR", "LBY", "LCA", "LIE", "LKA", "LSO", "LTU", "LUX", "LVA", //
    "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX", "MHL", "MKD", "MLI", "MLT", "MMR",
    "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS", "MWI", "MYS", "MYT", //
    "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL", "NRU", "NZL", //
    "OMN", //
    "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK", "PRT", "PRY", "PSE",
    "PYF", //
    "QAT", //
    "REU", "ROU", "RUS", "RWA", //
    "SAU", "SDN", "SEN", "SGP", "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM",
    "SRB", "SSD", "STP", "SUR", "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", //
    "TCA", "TCD", "TGO", "THA", "TJK", "TKL", "TKM", "TLS", "TON", "TTO", "TUN", "TUR", "TUV",
    "TWN", "TZA", //
    "UGA", "UKR", "UMI", "URY", "USA", "UZB", //
    "VAT", "VCT", "VEN", "VGB", "VIR", "VNM", "VUT", //
    "WLF", "WSM", //
    "YEM", //
    "ZAF", "ZMB", "ZWE",
];

/// Whether `code` is an officially assigned alpha-3 code. Letters are compared without
/// regard to case (`gbr` is `GBR`); anything but three ASCII letters is not a code.
pub(crate) fn is_alpha3(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 3 || !b.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let upper = [
        b[0].to_ascii_uppercase(),
        b[1].to_ascii_uppercase(),
        b[2].to_ascii_uppercase(),
    ];
    ALPHA3
        .binary_search_by(|c| c.as_bytes().cmp(&upper[..]))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::{ALPHA3, is_alpha3};

    #[test]
    fn list_has_249_sorted_unique_uppercase_codes() {
        assert_eq!(ALPHA3.len(), 249);
        for pair in ALPHA3.windows(2) {
            assert!(pair[0] < pair[1], "{} before {}", pair[0], pair[1]);
        }
        for c in ALPHA3 {
            assert!(
                c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()),
                "{c}"
            );
        }
    }

    #[test]
    fn lookup() {
        for ok in ["ABW", "GBR", "DEU", "USA", "ZWE", "gbr", "Deu"] {
            assert!(is_alpha3(ok), "{ok}");
        }
        for bad in ["XXX", "ABC", "GB", "GBRR", "", "EUR", "UNK", "G1R", "ÄBW"] {
            assert!(!is_alpha3(bad), "{bad}");
        }
    }
}
