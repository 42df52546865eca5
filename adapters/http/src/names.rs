//! [`named!`]: enums whose variants travel as fixed names (in a cookie, a path segment,
//! a template), declared once with their names.

/// A name that no variant of the enum carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnknownName;

/// Declares a fieldless enum with a name per variant, and `as_str`, `FromStr` (refusing
/// any other name with [`UnknownName`]) and `Display` over those names.
macro_rules! named {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => $text:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// The variant's name.
            $vis fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::names::UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok(Self::$variant),)*
                    _ => Err($crate::names::UnknownName),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use named;
