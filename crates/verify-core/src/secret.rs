//! Types that hold secrets: API keys, passwords and one-time codes.
//!
//! None of them implements `PartialEq`, and their `Debug` and `Display` print
//! `[redacted]`, so a secret cannot leak through a log line, a panic message or
//! an error. The value is reachable only through an explicit `expose_secret()`.

use std::fmt;

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret itself. Call this only where the value must leave the
            /// process (a request body, a signature) or be compared.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

secret_type!(
    /// A provider API key (TeleSign's base64 key).
    ApiKey
);
secret_type!(
    /// A password (dotdigital's API user password).
    Password
);
secret_type!(
    /// A one-time verification code, as sent to or typed by the end user.
    Code
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let key = ApiKey::new("c2VjcmV0LWtleQ==");
        let password = Password::new("hunter2-password");
        let code = Code::new("1234567");
        for shown in [
            format!("{key:?} {key} {key:#?}"),
            format!("{password:?} {password} {password:#?}"),
            format!("{code:?} {code} {code:#?}"),
        ] {
            assert!(shown.contains("[redacted]"), "{shown}");
            for secret in ["c2VjcmV0LWtleQ", "hunter2", "1234567"] {
                assert!(!shown.contains(secret), "{shown} leaks {secret}");
            }
        }
        assert_eq!(code.expose_secret(), "1234567");
    }
}
