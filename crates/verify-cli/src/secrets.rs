//! The secrets a command was given, so that nothing it prints repeats them:
//! a provider that echoes the API key, the password or the code in a
//! success answer (a field the command prints as given) must not put it on
//! the terminal or in a script's log.

use std::ffi::OsString;

use base64::Engine as _;
use verify_ureq::redact::Secrets;

/// Flags whose value is a secret. A code is not among them: it is digits,
/// and every text of an answer already has its digit runs masked, while a
/// printed reference id could hold the same digits.
const SECRET_FLAGS: &[&str] = &["--api-key", "--password", "--customer-id"];

/// Flags that name the user of a password (a secret only with it).
const USER_FLAGS: &[&str] = &["--username"];

/// The shortest secret looked for in what the command prints: a shorter
/// one could match inside an id the command must print whole.
const MIN_CHARS: usize = 8;

/// `secret` added to `secrets` when it is long enough to look for.
fn add(secrets: &mut Secrets, secret: &str) {
    if secret.chars().count() >= MIN_CHARS {
        secrets.add(secret);
    }
}

/// Flags whose value is a URL that may carry a password.
const URL_FLAGS: &[&str] = &["--store", "--proxy"];

/// Environment variables whose value is a secret.
const SECRET_VARIABLES: &[&str] = &[
    "TELESIGN_API_KEY",
    "TELESIGN_CUSTOMER_ID",
    "DOTDIGITAL_PASSWORD",
];

/// Environment variables whose value is a URL that may carry a password.
const URL_VARIABLES: &[&str] = &[
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Commands whose output is the sandbox's own made-up credentials or the
/// request a user asked to see: nothing of theirs is kept out.
const OPEN_COMMANDS: &[&str] = &["demo", "sandbox", "segments"];

/// The secrets in `args` (the whole command line, program name first) and
/// in the environment. Empty for the sandbox, the demo, the segment counter
/// and `--print-request`, whose output is meant to show what was given.
pub fn given(args: impl IntoIterator<Item = OsString>) -> Secrets {
    let args: Vec<String> = args
        .into_iter()
        .skip(1)
        .filter_map(|a| a.into_string().ok())
        .collect();
    let mut secrets = Secrets::new();
    let command = args.iter().find(|a| !a.starts_with('-'));
    if command.is_some_and(|c| OPEN_COMMANDS.contains(&c.as_str()))
        || args.iter().any(|a| a == "--print-request")
    {
        return secrets;
    }
    let mut values: Vec<(&str, String)> = Vec::new();
    let mut iter = args.iter().peekable();
    while let Some(arg) = iter.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        if ![SECRET_FLAGS, USER_FLAGS, URL_FLAGS]
            .iter()
            .any(|flags| flags.contains(&flag))
        {
            continue;
        }
        let value = match inline {
            Some(v) => v,
            None => match iter.peek() {
                Some(v) => (*v).clone(),
                None => continue,
            },
        };
        values.push((flag, value));
    }
    for name in SECRET_VARIABLES {
        if let Ok(value) = std::env::var(name) {
            add(&mut secrets, &value);
        }
    }
    for name in URL_VARIABLES {
        if let Ok(value) = std::env::var(name) {
            values.push(("--proxy", value));
        }
    }
    let find = |flags: &[&str], env: &str| {
        values
            .iter()
            .find(|(f, _)| flags.contains(f))
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var(env).ok())
    };
    for (flag, value) in &values {
        if URL_FLAGS.contains(flag) {
            if let Some(password) = url_password(value) {
                add(&mut secrets, &password);
            }
        } else if SECRET_FLAGS.contains(flag) {
            add(&mut secrets, value);
        }
    }
    // The Basic tokens the command may send (TeleSign with `--auth basic`,
    // dotdigital always), so that an echoed header is kept out too.
    let pairs = [
        (
            find(&["--customer-id"], "TELESIGN_CUSTOMER_ID"),
            find(&["--api-key"], "TELESIGN_API_KEY"),
        ),
        (
            find(&["--username"], "DOTDIGITAL_USERNAME"),
            find(&["--password"], "DOTDIGITAL_PASSWORD"),
        ),
    ];
    for (user, password) in pairs {
        if let (Some(user), Some(password)) = (user, password) {
            let pair = format!("{user}:{password}");
            add(
                &mut secrets,
                &base64::engine::general_purpose::STANDARD.encode(&pair),
            );
            add(&mut secrets, &pair);
        }
    }
    secrets
}

/// The password in `user:password@` of a URL, percent-decoded.
fn url_password(value: &str) -> Option<String> {
    let rest = value.split_once("://").map_or(value, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    let decoded = percent_decode(password);
    Some(decoded)
}

/// `%XX` sequences decoded; anything malformed kept as it is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        std::iter::once("verify")
            .chain(list.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn flags_in_both_forms_and_url_passwords_are_secrets() {
        let s = given(args(&[
            "telesign",
            "send",
            "--api-key",
            "c2VjcmV0a2V5MTIz",
            "--customer-id=CUST-0001-ABCD",
            "--proxy",
            "http://me:pr%40xy-pass@127.0.0.1:3128",
            "--store=redis://:redis-password@127.0.0.1:6379/0",
        ]));
        let out = s.scrub("c2VjcmV0a2V5MTIz CUST-0001-ABCD pr@xy-pass redis-password 127.0.0.1");
        assert!(!out.contains("c2VjcmV0a2V5MTIz"), "{out}");
        assert!(!out.contains("CUST-0001-ABCD"), "{out}");
        assert!(!out.contains("pr@xy-pass"), "{out}");
        assert!(!out.contains("redis-password"), "{out}");
        assert!(out.contains("127.0.0.1"), "{out}");
    }

    #[test]
    fn short_secrets_and_codes_leave_ids_whole() {
        let s = given(args(&[
            "telesign",
            "send",
            "--api-key",
            "beef",
            "--code",
            "123456",
            "--username",
            "u",
        ]));
        let id = "0123456789ABCDEFBEEF0123456789AB";
        assert_eq!(s.scrub(id), id);
    }

    #[test]
    fn open_commands_and_print_request_keep_nothing_out() {
        assert!(given(args(&["demo", "--api-key", "longsecret"])).is_empty());
        assert!(
            given(args(&[
                "telesign",
                "send",
                "--print-request",
                "--api-key",
                "longsecret"
            ]))
            .is_empty()
        );
    }

    #[test]
    fn odd_urls_give_no_password_and_no_panic() {
        for url in [
            "",
            "://",
            "@",
            ":@",
            "http://@",
            "http://a:%",
            "http://a:%4",
            "%%%",
        ] {
            let _ = url_password(url);
        }
        assert_eq!(url_password("http://u:p%41ss@h").as_deref(), Some("pAss"));
        assert_eq!(url_password("http://h/path@x"), None);
    }
}
