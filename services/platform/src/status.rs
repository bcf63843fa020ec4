//! Statuses are enums in the code and lower-case words in the tables and on the wire; one macro
//! declares each, for every service.

/// Declares a status enum stored as a word: `as_str` (written to the table and the message),
/// `parse` (a request's word), `stored` (a row's word, where an unknown one is a fault of the
/// data, not of the caller) and `ALL` (the words a list filter accepts).
#[macro_export]
macro_rules! text_status {
    ($(#[$meta:meta])* $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [&'static str] = &[$($text),+];

            pub const fn as_str(self) -> &'static str {
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

            pub fn stored(text: &str) -> $crate::error::Result<Self> {
                Self::parse(text).ok_or_else(|| {
                    $crate::Error::internal($crate::__anyhow::anyhow!(
                        concat!("stored ", stringify!($name), " {:?}"),
                        text
                    ))
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

#[cfg(test)]
mod tests {
    crate::text_status! {
        Light { Red = "red", Green = "green", }
    }

    #[test]
    fn a_status_round_trips_through_its_word() {
        assert_eq!(Light::ALL, ["red", "green"]);
        assert_eq!(Light::parse(Light::Green.as_str()), Some(Light::Green));
        assert_eq!(Light::parse("blue"), None);
        assert!(Light::stored("blue").is_err());
        assert_eq!(Light::Red.to_string(), "red");
    }
}
