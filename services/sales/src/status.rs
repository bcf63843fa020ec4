//! Statuses are enums in the code and lower-case text in the tables and on the wire.

/// Declares a status enum stored as text: `as_str` (written to the table and the message),
/// `parse` (a request's text), `stored` (a row's text, where a bad value is a fault of ours) and
/// `ALL` (the texts a list filter accepts).
macro_rules! text_status {
    ($(#[$meta:meta])* $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            pub fn stored(text: &str) -> atq_platform::error::Result<Self> {
                Self::parse(text).ok_or_else(|| {
                    atq_platform::Error::internal(anyhow::anyhow!(concat!("stored ", stringify!($name), " {:?}"), text))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use text_status;
