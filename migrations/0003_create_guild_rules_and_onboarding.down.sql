DROP INDEX onboarding_question_idx;
DROP TABLE onboarding;
DROP TABLE guild_onboarding_questions;
DROP TABLE guild_rules;
