//! One way to declare a provider's table of string codes: an enum with a
//! variant per documented value and `Unknown(..)` for anything else, so a
//! value added by the provider never breaks a parser.

/// Declares a string code table (see the module docs).
macro_rules! string_enum {
    (
        $(#[$meta:meta])* $name:ident {
            $( $(#[$doc:meta])* $variant:ident = $text:literal $(| $alias:literal)*, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$doc])* $variant, )*
            /// A value this version does not know, as received (made safe
            /// to print: see [`provider_text`](crate::text::provider_text)).
            Unknown(String),
        }

        impl $name {
            /// The value for a string as the provider spells it (ASCII
            /// case ignored); anything else is `Unknown`.
            pub fn parse(s: &str) -> Self {
                $(
                    if s.eq_ignore_ascii_case($text) $(|| s.eq_ignore_ascii_case($alias))* {
                        return Self::$variant;
                    }
                )*
                Self::Unknown($crate::text::provider_text(s))
            }

            /// The provider's spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Unknown(s) => s,
                }
            }

            /// Every documented value.
            pub const ALL: &'static [$name] = &[ $( Self::$variant, )* ];

            /// An unknown value with every form of `secrets` removed (an
            /// answer can echo the request into any field).
            #[allow(dead_code)]
            pub(crate) fn redact(&mut self, secrets: &$crate::redact::Secrets) {
                if let Self::Unknown(s) = self {
                    *s = secrets.scrub(s);
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::parse(s)
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self::parse(&s)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::parse(s))
            }
        }
    };
}

pub(crate) use string_enum;
