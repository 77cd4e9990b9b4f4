//! The rules of the shield, each with its default (docs/PROTOCOL-DECISIONS.md,
//! "Abuse shield"), each settable, switchable off and in [`Mode::Enforce`]
//! or [`Mode::Monitor`].
//!
//! # The rules file
//!
//! [`Rules`] deserializes (TOML for the CLI, or any serde format): every
//! field may be left out and keeps its default; an unknown field is an
//! error. Durations are strings in `humantime` units (`"30s"`, `"10m"`,
//! `"1h"`, `"12h"`, `"1day"`) or integers of milliseconds. A rule's table
//! changes only the fields it names:
//!
//! ```toml
//! allow_numbers = ["15555550100"]
//! on_store_error = "allow"          # or "fail_closed" (the default)
//!
//! [number_block]
//! max = 20                          # window stays 1 h
//!
//! [client_key]
//! mode = "monitor"
//!
//! [countries]
//! deny = ["XX"]
//! budgets = { GB = 200 }            # sends per hour
//!
//! [global_spend]
//! enabled = true
//! max = 50_000                      # in the unit of the prices
//! prices = { GB = 40, US = 8 }
//! default_price = 100
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use crate::store::Mode;

/// A duration in milliseconds, read as `"30s"`, `"10m"`, `"1h"` or an
/// integer of milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ms(pub u64);

impl Ms {
    /// `n` seconds.
    pub const fn secs(n: u64) -> Self {
        Self(n * 1000)
    }

    /// `n` minutes.
    pub const fn mins(n: u64) -> Self {
        Self(n * 60_000)
    }

    /// `n` hours.
    pub const fn hours(n: u64) -> Self {
        Self(n * 3_600_000)
    }
}

impl<'de> Deserialize<'de> for Ms {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Ms;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"30s\", \"10m\", \"1h\", or milliseconds")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Ms, E> {
                Ok(Ms(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Ms, E> {
                u64::try_from(v)
                    .map(Ms)
                    .map_err(|_| E::custom("a duration cannot be negative"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Ms, E> {
                let d = humantime::parse_duration(v.trim()).map_err(E::custom)?;
                u64::try_from(d.as_millis())
                    .map(Ms)
                    .map_err(|_| E::custom("the duration is too long"))
            }
        }
        d.deserialize_any(V)
    }
}

fn mode_de<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Mode>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    s.map(|s| match s.as_str() {
        "enforce" => Ok(Mode::Enforce),
        "monitor" => Ok(Mode::Monitor),
        other => Err(serde::de::Error::custom(format!(
            "unknown mode {other:?}: expected \"enforce\" or \"monitor\""
        ))),
    })
    .transpose()
}

/// A count in a sliding window: at most `max` sends per `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowRule {
    /// Whether the rule is checked at all.
    pub enabled: bool,
    /// Enforce or only report.
    pub mode: Mode,
    /// At most this many in the window, this one included.
    pub max: u32,
    /// The sliding window.
    pub window: Ms,
}

impl WindowRule {
    /// An enforced rule of `max` per `window`.
    pub const fn new(max: u32, window: Ms) -> Self {
        Self {
            enabled: true,
            mode: Mode::Enforce,
            max,
            window,
        }
    }

    /// The rule, switched off.
    pub const fn off(mut self) -> Self {
        self.enabled = false;
        self
    }

    /// The rule in monitor mode.
    pub const fn monitor(mut self) -> Self {
        self.mode = Mode::Monitor;
        self
    }
}

/// The countries: an allow-list, a deny-list, and hourly budgets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountryRules {
    /// When not empty, only these countries (ISO 3166 alpha-2) are sent to.
    pub allow: Vec<String>,
    /// These countries are never sent to.
    pub deny: Vec<String>,
    /// The mode of the allow- and deny-lists.
    pub mode: Mode,
    /// Sends per hour for these countries (none by default).
    pub budgets: BTreeMap<String, u32>,
    /// The mode of the budgets.
    pub budget_mode: Mode,
}

impl Default for CountryRules {
    fn default() -> Self {
        Self {
            allow: Vec::new(),
            deny: Vec::new(),
            mode: Mode::Enforce,
            budgets: BTreeMap::new(),
            budget_mode: Mode::Enforce,
        }
    }
}

/// The global spend: segments times the price of the number's country,
/// summed over a sliding window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpendRule {
    /// Off by default: it means nothing until prices are given.
    pub enabled: bool,
    /// Enforce or only report.
    pub mode: Mode,
    /// At most this much in the window, in the unit of the prices.
    pub max: u64,
    /// The window (default a day).
    pub window: Ms,
    /// The price of one segment, by country (ISO 3166 alpha-2).
    pub prices: BTreeMap<String, u64>,
    /// The price of a segment to a country without a price.
    pub default_price: u64,
}

impl SpendRule {
    /// The price of one segment to `country`.
    pub fn price(&self, country: &str) -> u64 {
        self.prices
            .get(country)
            .copied()
            .unwrap_or(self.default_price)
    }
}

/// A number type the shield can deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberType {
    /// Premium-rate lines (the caller pays the operator a surcharge).
    PremiumRate,
    /// Shared-cost lines.
    SharedCost,
    /// Freephone lines.
    TollFree,
    /// Voice over IP numbers.
    Voip,
    /// Personal numbers (routed on to another number).
    PersonalNumber,
    /// Pagers.
    Pager,
    /// Universal access (company) numbers.
    Uan,
    /// Voicemail access numbers.
    Voicemail,
    /// Numbers that fit no known pattern of their country.
    Unknown,
}

/// The number-type rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberTypeRule {
    /// Whether the rule is checked.
    pub enabled: bool,
    /// Enforce or only report.
    pub mode: Mode,
    /// The types denied (default premium-rate and shared-cost).
    pub deny: Vec<NumberType>,
}

impl Default for NumberTypeRule {
    fn default() -> Self {
        Self {
            enabled: true,
            mode: Mode::Enforce,
            deny: vec![NumberType::PremiumRate, NumberType::SharedCost],
        }
    }
}

/// A conversion breaker (per country, per number block).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerRule {
    /// Whether the breaker is checked.
    pub enabled: bool,
    /// Enforce or only report.
    pub mode: Mode,
    /// The rolling window of sends and verified codes (default 1 h).
    pub window: Ms,
    /// Fewer sends than this in the window never trip it (default 20).
    pub min_sends: u32,
    /// Trips below this share of verified sends, in percent (default 20).
    pub min_verified_percent: u32,
    /// How long it stays open (default 12 h).
    pub cool_off: Ms,
    /// Half-open: how long one send holds the probe before another may go
    /// (default 10 min, a code's usual lifetime).
    pub probe: Ms,
}

impl Default for BreakerRule {
    fn default() -> Self {
        Self {
            enabled: true,
            mode: Mode::Enforce,
            window: Ms::hours(1),
            min_sends: 20,
            min_verified_percent: 20,
            cool_off: Ms::hours(12),
            probe: Ms::mins(10),
        }
    }
}

/// What a decision does when the store cannot be reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnStoreError {
    /// Refuse the send ([`Rule::StoreUnavailable`](verify_core::guard::Rule::StoreUnavailable)):
    /// the default, since an attack that can break the store would
    /// otherwise switch the shield off.
    #[default]
    FailClosed,
    /// Allow the send, with a warning event.
    Allow,
}

/// Every rule of the shield. `Rules::default()` is the documented
/// defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    /// Numbers (international digits, with or without `+`) that bypass
    /// every rule: test numbers, staff.
    pub allow_numbers: Vec<String>,
    /// The pause between two sends to one number (default 30 s: one per
    /// 30 s).
    pub number_cooldown: WindowRule,
    /// Sends per number, short window (default 3 per 10 min).
    pub number_short: WindowRule,
    /// Sends per number, long window (default 5 per hour).
    pub number_long: WindowRule,
    /// Sends per number block, the number without its last 3 digits
    /// (default 10 per hour).
    pub number_block: WindowRule,
    /// Sends per client key (default 10 per hour per key).
    pub client_key: WindowRule,
    /// The countries.
    pub countries: CountryRules,
    /// Sends per hour, all numbers (default 1,000 per hour).
    pub global_sends: WindowRule,
    /// Spend per day, all numbers (off until prices are given).
    pub global_spend: SpendRule,
    /// The number types denied.
    pub number_type: NumberTypeRule,
    /// The conversion breaker per country.
    pub conversion_country: BreakerRule,
    /// The conversion breaker per number block.
    pub conversion_block: BreakerRule,
    /// Wrong codes per number across its verifications (default 10 per
    /// hour).
    pub wrong_codes: WindowRule,
    /// What a decision does when the store fails.
    pub on_store_error: OnStoreError,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            allow_numbers: Vec::new(),
            number_cooldown: WindowRule::new(1, Ms::secs(30)),
            number_short: WindowRule::new(3, Ms::mins(10)),
            number_long: WindowRule::new(5, Ms::hours(1)),
            number_block: WindowRule::new(10, Ms::hours(1)),
            client_key: WindowRule::new(10, Ms::hours(1)),
            countries: CountryRules::default(),
            global_sends: WindowRule::new(1000, Ms::hours(1)),
            global_spend: SpendRule {
                enabled: false,
                mode: Mode::Enforce,
                max: 0,
                window: Ms::hours(24),
                prices: BTreeMap::new(),
                default_price: 0,
            },
            number_type: NumberTypeRule::default(),
            conversion_country: BreakerRule::default(),
            conversion_block: BreakerRule::default(),
            wrong_codes: WindowRule::new(10, Ms::hours(1)),
            on_store_error: OnStoreError::FailClosed,
        }
    }
}

// ---- the file: every field optional, applied over the defaults ----

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct WindowPatch {
    enabled: Option<bool>,
    #[serde(deserialize_with = "mode_de")]
    mode: Option<Mode>,
    max: Option<u32>,
    window: Option<Ms>,
}

impl WindowPatch {
    fn apply(self, mut rule: WindowRule) -> WindowRule {
        rule.enabled = self.enabled.unwrap_or(rule.enabled);
        rule.mode = self.mode.unwrap_or(rule.mode);
        rule.max = self.max.unwrap_or(rule.max);
        rule.window = self.window.unwrap_or(rule.window);
        rule
    }
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct CountryPatch {
    allow: Option<Vec<String>>,
    deny: Option<Vec<String>>,
    #[serde(deserialize_with = "mode_de")]
    mode: Option<Mode>,
    budgets: Option<BTreeMap<String, u32>>,
    #[serde(deserialize_with = "mode_de")]
    budget_mode: Option<Mode>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct SpendPatch {
    enabled: Option<bool>,
    #[serde(deserialize_with = "mode_de")]
    mode: Option<Mode>,
    max: Option<u64>,
    window: Option<Ms>,
    prices: Option<BTreeMap<String, u64>>,
    default_price: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct NumberTypePatch {
    enabled: Option<bool>,
    #[serde(deserialize_with = "mode_de")]
    mode: Option<Mode>,
    deny: Option<Vec<NumberType>>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct BreakerPatch {
    enabled: Option<bool>,
    #[serde(deserialize_with = "mode_de")]
    mode: Option<Mode>,
    window: Option<Ms>,
    min_sends: Option<u32>,
    min_verified_percent: Option<u32>,
    cool_off: Option<Ms>,
    probe: Option<Ms>,
}

impl BreakerPatch {
    fn apply(self, mut b: BreakerRule) -> BreakerRule {
        b.enabled = self.enabled.unwrap_or(b.enabled);
        b.mode = self.mode.unwrap_or(b.mode);
        b.window = self.window.unwrap_or(b.window);
        b.min_sends = self.min_sends.unwrap_or(b.min_sends);
        b.min_verified_percent = self.min_verified_percent.unwrap_or(b.min_verified_percent);
        b.cool_off = self.cool_off.unwrap_or(b.cool_off);
        b.probe = self.probe.unwrap_or(b.probe);
        b
    }
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RulesFile {
    allow_numbers: Option<Vec<String>>,
    number_cooldown: WindowPatch,
    number_short: WindowPatch,
    number_long: WindowPatch,
    number_block: WindowPatch,
    client_key: WindowPatch,
    countries: CountryPatch,
    global_sends: WindowPatch,
    global_spend: SpendPatch,
    number_type: NumberTypePatch,
    conversion_country: BreakerPatch,
    conversion_block: BreakerPatch,
    wrong_codes: WindowPatch,
    on_store_error: Option<OnStoreError>,
}

impl From<RulesFile> for Rules {
    fn from(f: RulesFile) -> Self {
        let d = Rules::default();
        let c = f.countries;
        let s = f.global_spend;
        let t = f.number_type;
        Rules {
            allow_numbers: f.allow_numbers.unwrap_or(d.allow_numbers),
            number_cooldown: f.number_cooldown.apply(d.number_cooldown),
            number_short: f.number_short.apply(d.number_short),
            number_long: f.number_long.apply(d.number_long),
            number_block: f.number_block.apply(d.number_block),
            client_key: f.client_key.apply(d.client_key),
            countries: CountryRules {
                allow: c.allow.unwrap_or(d.countries.allow),
                deny: c.deny.unwrap_or(d.countries.deny),
                mode: c.mode.unwrap_or(d.countries.mode),
                budgets: c.budgets.unwrap_or(d.countries.budgets),
                budget_mode: c.budget_mode.unwrap_or(d.countries.budget_mode),
            },
            global_sends: f.global_sends.apply(d.global_sends),
            global_spend: SpendRule {
                enabled: s.enabled.unwrap_or(d.global_spend.enabled),
                mode: s.mode.unwrap_or(d.global_spend.mode),
                max: s.max.unwrap_or(d.global_spend.max),
                window: s.window.unwrap_or(d.global_spend.window),
                prices: s.prices.unwrap_or(d.global_spend.prices),
                default_price: s.default_price.unwrap_or(d.global_spend.default_price),
            },
            number_type: NumberTypeRule {
                enabled: t.enabled.unwrap_or(d.number_type.enabled),
                mode: t.mode.unwrap_or(d.number_type.mode),
                deny: t.deny.unwrap_or(d.number_type.deny),
            },
            conversion_country: f.conversion_country.apply(d.conversion_country),
            conversion_block: f.conversion_block.apply(d.conversion_block),
            wrong_codes: f.wrong_codes.apply(d.wrong_codes),
            on_store_error: f.on_store_error.unwrap_or(d.on_store_error),
        }
    }
}

impl<'de> Deserialize<'de> for Rules {
    /// Every field optional, each keeping its default; unknown fields are
    /// refused (see the module's documentation).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut rules = Rules::from(RulesFile::deserialize(d)?);
        let problems = rules.normalize_countries();
        if problems.is_empty() {
            Ok(rules)
        } else {
            Err(serde::de::Error::custom(problems.join("; ")))
        }
    }
}

/// `code` upper-cased when it is a country the shield can resolve a number
/// to: an ISO 3166 alpha-2 code with a numbering plan, or `ZZ` (a number
/// of no country, such as +882).
fn country_code(code: &str) -> Option<String> {
    let upper = code.to_ascii_uppercase();
    let known = upper == "ZZ"
        || (upper.len() == 2
            && upper.bytes().all(|b| b.is_ascii_uppercase())
            && phonenumber::metadata::DATABASE.by_id(&upper).is_some());
    known.then_some(upper)
}

impl Rules {
    /// The country codes of the lists, budgets and prices upper-cased;
    /// one problem for each that no number can resolve to (`GBR`, `UK`,
    /// an empty string), naming its field, so that a rule that could never
    /// bind is refused instead of silently letting everything through.
    fn normalize_countries(&mut self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut bad = |field: &str, code: &str| {
            problems.push(format!(
                "{field}: {code:?} is not a country code (ISO 3166 alpha-2 such as \"GB\", or \"ZZ\")"
            ));
        };
        for (field, list) in [
            ("countries.allow", &mut self.countries.allow),
            ("countries.deny", &mut self.countries.deny),
        ] {
            for code in list.iter_mut() {
                match country_code(code) {
                    Some(c) => *code = c,
                    None => bad(field, code),
                }
            }
        }
        fn keys<V>(map: &mut BTreeMap<String, V>, mut bad: impl FnMut(&str)) {
            let mut fixed = BTreeMap::new();
            for (code, value) in std::mem::take(map) {
                match country_code(&code) {
                    Some(c) => {
                        fixed.insert(c, value);
                    }
                    None => bad(&code),
                }
            }
            *map = fixed;
        }
        keys(&mut self.countries.budgets, |c| bad("countries.budgets", c));
        keys(&mut self.global_spend.prices, |c| {
            bad("global_spend.prices", c)
        });
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_the_defaults() {
        let rules: Rules = serde_json::from_str("{}").unwrap();
        assert_eq!(rules, Rules::default());
    }

    #[test]
    fn a_table_changes_only_the_fields_it_names() {
        let rules: Rules = serde_json::from_str(
            r#"{"number_block": {"max": 20}, "client_key": {"mode": "monitor", "window": "2h"},
                "number_cooldown": {"window": 45000}, "on_store_error": "allow",
                "conversion_country": {"enabled": false}, "number_type": {"deny": ["voip"]}}"#,
        )
        .unwrap();
        assert_eq!(rules.number_block, WindowRule::new(20, Ms::hours(1)));
        assert_eq!(rules.client_key.mode, Mode::Monitor);
        assert_eq!(rules.client_key.window, Ms::hours(2));
        assert_eq!(rules.client_key.max, 10);
        assert_eq!(rules.number_cooldown.window, Ms::secs(45));
        assert_eq!(rules.on_store_error, OnStoreError::Allow);
        assert!(!rules.conversion_country.enabled);
        assert!(rules.conversion_block.enabled);
        assert_eq!(rules.number_type.deny, [NumberType::Voip]);
    }

    #[test]
    fn country_codes_are_read_in_any_case_and_every_bad_one_is_named() {
        let rules: Rules =
            serde_json::from_str(r#"{"countries": {"deny": ["gb", "zz"], "budgets": {"us": 5}}}"#)
                .unwrap();
        assert_eq!(rules.countries.deny, ["GB", "ZZ"]);
        assert_eq!(rules.countries.budgets.get("US"), Some(&5));
        let error =
            serde_json::from_str::<Rules>(r#"{"countries": {"deny": ["GBR"], "allow": ["UK"]}}"#)
                .unwrap_err()
                .to_string();
        assert!(
            error.contains("countries.deny") && error.contains("GBR"),
            "{error}"
        );
        assert!(
            error.contains("countries.allow") && error.contains("UK"),
            "{error}"
        );
    }

    #[test]
    fn unknown_fields_and_bad_values_are_refused() {
        for bad in [
            r#"{"number_blok": {}}"#,
            r#"{"number_block": {"maximum": 3}}"#,
            r#"{"number_block": {"mode": "loud"}}"#,
            r#"{"number_block": {"window": "soon"}}"#,
            r#"{"number_block": {"window": -1}}"#,
            r#"{"on_store_error": "shrug"}"#,
            r#"{"countries": {"deny": ["GBR"]}}"#,
            r#"{"countries": {"allow": ["UK"]}}"#,
            r#"{"countries": {"deny": [""]}}"#,
            r#"{"countries": {"deny": [" GB "]}}"#,
            r#"{"countries": {"budgets": {"": 1}}}"#,
            r#"{"global_spend": {"prices": {"XX1": 1}}}"#,
        ] {
            assert!(serde_json::from_str::<Rules>(bad).is_err(), "{bad}");
        }
    }
}
