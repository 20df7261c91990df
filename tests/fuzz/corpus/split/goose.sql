-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION g() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql;
-- +goose StatementEnd
SELECT 1;
-- +goose Down
DROP FUNCTION g;
