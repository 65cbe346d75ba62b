-- What a provider sends on every token request besides the protocol's own parameters (an RFC 8707
-- resource, an audience): a JSON object of strings; NULL for providers stored before, which send none.
ALTER TABLE providers ADD COLUMN token_request_parameters TEXT;
