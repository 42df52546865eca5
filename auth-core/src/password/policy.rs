//! Which new passwords are acceptable, after NIST SP 800-63B §5.1.1.2.

use zxcvbn::feedback::{Suggestion, Warning};
use zxcvbn::zxcvbn;

use super::{MAX_PASSWORD_BYTES, normalize};
use crate::error::{Error, Message, Result, ValidationErrors};

/// The field name used in every [`ValidationErrors`] this policy reports.
const FIELD: &str = "password";
/// Personal inputs shorter than this (in characters) are only refused when the password
/// equals them, not when it merely contains them: "al" inside a passphrase is no leak.
const MIN_CONTAINED_INPUT_CHARS: usize = 4;

/// Rules for choosing a password, following NIST SP 800-63B.
///
/// - at least `min_length` characters (default 8) and at most `max_length` (default 128),
///   counted in Unicode scalar values after NFKC normalisation; longer input is refused,
///   never truncated;
/// - no composition rules (no "one digit, one symbol");
/// - no common or guessable passwords: the `zxcvbn` estimator must score at least
///   `min_score` (0–4, default 3) unless `check_strength` is off;
/// - no password equal to, or containing, the user's username or email address (or its
///   local part), ignoring case.
///
/// Error codes, all on the field `password`: `too_short`, `too_long`, `too_common` (a
/// known common password or a close variant), `too_weak` (otherwise guessable), and
/// `contains_personal_info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Fewest characters accepted.
    pub min_length: usize,
    /// Most characters accepted (at most 1024).
    pub max_length: usize,
    /// Whether to refuse passwords the `zxcvbn` estimator finds guessable.
    pub check_strength: bool,
    /// The least `zxcvbn` score accepted, 0 (anything) to 4 (strongest).
    pub min_score: u8,
    /// Allows `min_length` below 8 (for tests and demos). Never set it in production.
    pub insecure: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 8,
            max_length: 128,
            check_strength: true,
            min_score: 3,
            insecure: false,
        }
    }
}

impl PasswordPolicy {
    /// NIST's floor for memorised secrets chosen by the user.
    pub const NIST_MIN_LENGTH: usize = 8;
    /// The largest `max_length` accepted.
    pub const MAX_MAX_LENGTH: usize = 1024;

    /// Checks the policy itself.
    ///
    /// # Errors
    /// [`Error::Config`] when `min_length` is 0, or below 8 without `insecure`;
    /// `max_length` is below `min_length` or above 1024; or `min_score` is above 4.
    pub fn validate(&self) -> Result<()> {
        if self.min_length == 0 {
            return Err(Error::Config(
                "password min_length must be at least 1".into(),
            ));
        }
        if self.min_length < Self::NIST_MIN_LENGTH && !self.insecure {
            return Err(Error::Config(format!(
                "password min_length {} is below {} (set `insecure` only for tests)",
                self.min_length,
                Self::NIST_MIN_LENGTH
            )));
        }
        if self.max_length < self.min_length {
            return Err(Error::Config(format!(
                "password max_length {} is below min_length {}",
                self.max_length, self.min_length
            )));
        }
        if self.max_length > Self::MAX_MAX_LENGTH {
            return Err(Error::Config(format!(
                "password max_length {} exceeds {}",
                self.max_length,
                Self::MAX_MAX_LENGTH
            )));
        }
        if self.min_score > 4 {
            return Err(Error::Config(format!(
                "password min_score {} is outside 0..=4",
                self.min_score
            )));
        }
        Ok(())
    }

    /// Checks a new password. `user_inputs` are the user's own identifiers (email
    /// address, username, display name); empty ones are ignored.
    ///
    /// # Errors
    /// Every rule the password breaks, on the field `password`, with a message a person
    /// can act on.
    pub fn check(&self, password: &str, user_inputs: &[&str]) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let too_long = || {
            let mut errors = ValidationErrors::new();
            errors.push(
                FIELD,
                "too_long",
                Message::new("field-password-too_long").arg("n", self.max_length),
            );
            errors
        };
        // Refuse absurd input before spending time on normalising it.
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(too_long());
        }
        let password = normalize(password);
        let length = password.chars().count();
        if length > self.max_length {
            return Err(too_long());
        }
        if length < self.min_length {
            errors.push(
                FIELD,
                "too_short",
                Message::new("field-password-too_short").arg("n", self.min_length),
            );
        }

        let lowered = password.to_lowercase();
        let inputs = personal_inputs(user_inputs);
        let personal = inputs.iter().any(|input| {
            lowered == *input
                || (input.chars().count() >= MIN_CONTAINED_INPUT_CHARS
                    && lowered.contains(input.as_str()))
        });
        if personal {
            errors.push(
                FIELD,
                "contains_personal_info",
                Message::new("field-password-contains_personal_info"),
            );
        }

        if self.check_strength && errors.is_empty() {
            let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
            let estimate = zxcvbn(&password, &refs);
            if u8::from(estimate.score()) < self.min_score {
                let feedback = estimate.feedback();
                let warning = feedback.and_then(|f| f.warning());
                let common = matches!(
                    warning,
                    Some(
                        Warning::ThisIsATop10Password
                            | Warning::ThisIsATop100Password
                            | Warning::ThisIsACommonPassword
                            | Warning::ThisIsSimilarToACommonlyUsedPassword
                    )
                );
                let mut message = Message::new(if common {
                    "field-password-too_common"
                } else {
                    "field-password-too_weak"
                });
                if let Some(warning) = warning
                    && !common
                {
                    message = message.then(Message::new(warning_id(warning)));
                }
                let suggestions = feedback.map(|f| f.suggestions()).unwrap_or_default();
                if suggestions.is_empty() {
                    message = message.then(Message::new("password-advice-add_a_word"));
                } else {
                    for suggestion in suggestions {
                        message = message.then(Message::new(suggestion_id(*suggestion)));
                    }
                }
                errors.push(
                    FIELD,
                    if common { "too_common" } else { "too_weak" },
                    message,
                );
            }
        }

        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The message id of a password strength estimator's warning.
fn warning_id(warning: Warning) -> &'static str {
    match warning {
        Warning::StraightRowsOfKeysAreEasyToGuess => "password-warning-straight_rows",
        Warning::ShortKeyboardPatternsAreEasyToGuess => "password-warning-short_keyboard_patterns",
        Warning::RepeatsLikeAaaAreEasyToGuess => "password-warning-repeats",
        Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            "password-warning-repeated_sequences"
        }
        Warning::ThisIsATop10Password => "password-warning-top10",
        Warning::ThisIsATop100Password => "password-warning-top100",
        Warning::ThisIsACommonPassword => "password-warning-common",
        Warning::ThisIsSimilarToACommonlyUsedPassword => "password-warning-similar_to_common",
        Warning::SequencesLikeAbcAreEasyToGuess => "password-warning-sequences",
        Warning::RecentYearsAreEasyToGuess => "password-warning-recent_years",
        Warning::AWordByItselfIsEasyToGuess => "password-warning-single_word",
        Warning::DatesAreOftenEasyToGuess => "password-warning-dates",
        Warning::NamesAndSurnamesByThemselvesAreEasyToGuess => "password-warning-names",
        Warning::CommonNamesAndSurnamesAreEasyToGuess => "password-warning-common_names",
    }
}

/// The message id of a password strength estimator's suggestion.
fn suggestion_id(suggestion: Suggestion) -> &'static str {
    match suggestion {
        Suggestion::UseAFewWordsAvoidCommonPhrases => "password-advice-few_words",
        Suggestion::NoNeedForSymbolsDigitsOrUppercaseLetters => "password-advice-no_symbols_needed",
        Suggestion::AddAnotherWordOrTwo => "password-advice-another_word",
        Suggestion::CapitalizationDoesntHelpVeryMuch => "password-advice-capitalization",
        Suggestion::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => {
            "password-advice-all_uppercase"
        }
        Suggestion::ReversedWordsArentMuchHarderToGuess => "password-advice-reversed_words",
        Suggestion::PredictableSubstitutionsDontHelpVeryMuch => "password-advice-substitutions",
        Suggestion::UseALongerKeyboardPatternWithMoreTurns => {
            "password-advice-longer_keyboard_pattern"
        }
        Suggestion::AvoidRepeatedWordsAndCharacters => "password-advice-repeated_words",
        Suggestion::AvoidSequences => "password-advice-sequences",
        Suggestion::AvoidRecentYears => "password-advice-recent_years",
        Suggestion::AvoidYearsThatAreAssociatedWithYou => "password-advice-personal_years",
        Suggestion::AvoidDatesAndYearsThatAreAssociatedWithYou => "password-advice-personal_dates",
    }
}

/// The lowercased NFKC forms of the user's identifiers, plus the local part of any
/// email address among them.
fn personal_inputs(user_inputs: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for input in user_inputs {
        let input = normalize(input.trim()).to_lowercase();
        if input.is_empty() {
            continue;
        }
        if let Some((local, _domain)) = input.rsplit_once('@')
            && !local.is_empty()
        {
            out.push(local.to_owned());
        }
        out.push(input);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: Result<(), ValidationErrors>) -> Vec<&'static str> {
        match result {
            Ok(()) => Vec::new(),
            Err(errors) => {
                assert!(errors.errors().iter().all(|e| e.field == "password"));
                assert!(errors.errors().iter().all(|e| !e.message.is_empty()));
                errors.errors().iter().map(|e| e.code).collect()
            }
        }
    }

    #[test]
    fn accepts_a_passphrase_without_composition_rules() {
        let policy = PasswordPolicy::default();
        assert_eq!(
            code(policy.check("correct horse battery staple lamp", &[])),
            Vec::<&str>::new()
        );
        assert_eq!(
            code(policy.check("glimmering tortoise umbrella", &["ann@example.com"])),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn too_short_and_too_long() {
        let policy = PasswordPolicy::default();
        assert_eq!(code(policy.check("Ab1!x", &[])), ["too_short"]);
        assert_eq!(code(policy.check("", &[])), ["too_short"]);
        let long = "x".repeat(129);
        let errors = policy.check(&long, &[]).unwrap_err();
        assert_eq!(errors.errors()[0].code, "too_long");
        assert!(errors.errors()[0].message.contains("128"));
        // Absurd input is refused on its size alone.
        assert_eq!(code(policy.check(&"y".repeat(1 << 20), &[])), ["too_long"]);
        // 128 characters of 4 bytes each are 128 characters, not 512.
        let emoji = "🦀".repeat(128);
        assert!(!code(policy.check(&emoji, &[])).contains(&"too_long"));
    }

    #[test]
    fn length_counts_characters_after_nfkc() {
        let policy = PasswordPolicy {
            check_strength: false,
            ..PasswordPolicy::default()
        };
        // Seven characters: "e" + combining accent composes to one "é".
        assert_eq!(code(policy.check("cafe\u{301}xyz", &[])), ["too_short"]);
        // The "ﬃ" ligature is one character but three ("ffi") after NFKC: 2 + 3 + 2 = 7.
        assert_eq!(code(policy.check("ab\u{fb03}cd", &[])), ["too_short"]);
        assert!(code(policy.check("abc\u{fb03}cd", &[])).is_empty());
    }

    #[test]
    fn common_passwords_are_refused_with_advice() {
        let policy = PasswordPolicy::default();
        for common in ["password", "password1", "qwertyuiop", "iloveyou123"] {
            let errors = policy.check(common, &[]).unwrap_err();
            let e = &errors.errors()[0];
            assert!(
                e.code == "too_common" || e.code == "too_weak",
                "{common}: {e:?}"
            );
            assert!(e.message.len() > 30, "{common}: {}", e.message);
        }
        assert_eq!(code(policy.check("password", &[])), ["too_common"]);
        assert_eq!(code(policy.check("aaaaaaaaaa", &[])), ["too_weak"]);
    }

    #[test]
    fn strength_check_can_be_relaxed_or_switched_off() {
        let off = PasswordPolicy {
            check_strength: false,
            ..PasswordPolicy::default()
        };
        assert!(off.check("password", &[]).is_ok());
        let lenient = PasswordPolicy {
            min_score: 0,
            ..PasswordPolicy::default()
        };
        assert!(lenient.check("password", &[]).is_ok());
    }

    #[test]
    fn personal_information_is_refused() {
        let policy = PasswordPolicy::default();
        let inputs = ["Jonathan.Smith@example.com", "jsmith42"];
        assert_eq!(
            code(policy.check("jonathan.smith@example.com", &inputs)),
            ["contains_personal_info"]
        );
        assert_eq!(
            code(policy.check("JONATHAN.SMITH", &inputs)),
            ["contains_personal_info"]
        );
        assert_eq!(
            code(policy.check("my name is jsmith42 ok", &inputs)),
            ["contains_personal_info"]
        );
        // Refused even with the strength check off.
        let off = PasswordPolicy {
            check_strength: false,
            ..PasswordPolicy::default()
        };
        assert_eq!(
            code(off.check("xx jsmith42 xx", &inputs)),
            ["contains_personal_info"]
        );
        // A short username only counts when it is the whole password.
        assert!(off.check("a long passphrase", &["al"]).is_ok());
        assert_eq!(
            code(
                PasswordPolicy {
                    insecure: true,
                    min_length: 2,
                    check_strength: false,
                    ..PasswordPolicy::default()
                }
                .check("AL", &["al"])
            ),
            ["contains_personal_info"]
        );
        // Empty inputs are ignored.
        assert!(
            policy
                .check("glimmering tortoise umbrella", &["", " "])
                .is_ok()
        );
    }

    #[test]
    fn several_problems_are_reported_together() {
        let policy = PasswordPolicy::default();
        assert_eq!(
            code(policy.check("bob", &["bob@example.com"])),
            ["too_short", "contains_personal_info"]
        );
    }

    #[test]
    fn policy_validation() {
        assert!(PasswordPolicy::default().validate().is_ok());
        let bad = [
            PasswordPolicy {
                min_length: 6,
                ..PasswordPolicy::default()
            },
            PasswordPolicy {
                min_length: 0,
                insecure: true,
                ..PasswordPolicy::default()
            },
            PasswordPolicy {
                min_length: 20,
                max_length: 10,
                ..PasswordPolicy::default()
            },
            PasswordPolicy {
                max_length: 1025,
                ..PasswordPolicy::default()
            },
            PasswordPolicy {
                min_score: 5,
                ..PasswordPolicy::default()
            },
        ];
        for policy in bad {
            assert!(
                matches!(policy.validate(), Err(Error::Config(_))),
                "{policy:?}"
            );
        }
        let insecure = PasswordPolicy {
            min_length: 4,
            insecure: true,
            ..PasswordPolicy::default()
        };
        assert!(insecure.validate().is_ok());
        let max = PasswordPolicy {
            max_length: 1024,
            ..PasswordPolicy::default()
        };
        assert!(max.validate().is_ok());
    }
}
