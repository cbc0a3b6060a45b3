from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from qbsps_orchestration.lib.secrets import (
    SECRET_KEYS_ENV,
    SecretCipher,
    SecretDecryptError,
    SecretKeyError,
)

PLAINTEXT = "AB11-refresh-token-value-\u00e9"


def test_round_trip_and_ciphertext_hides_plaintext() -> None:
    cipher = SecretCipher([SecretCipher.generate_key()])
    token = cipher.encrypt(PLAINTEXT)
    assert PLAINTEXT not in token
    assert cipher.encrypt(PLAINTEXT) != token  # random IV: equal secrets do not look equal at rest
    assert cipher.decrypt(token) == PLAINTEXT


def test_from_env_reads_comma_separated_keys_newest_first() -> None:
    old, new = SecretCipher.generate_key(), SecretCipher.generate_key()
    token_under_old = SecretCipher([old]).encrypt(PLAINTEXT)
    cipher = SecretCipher.from_env({SECRET_KEYS_ENV: f" {new} , {old} "})
    assert cipher.key_count == 2
    assert cipher.decrypt(token_under_old) == PLAINTEXT
    # New ciphertext is made with the first (newest) key only.
    assert Fernet(new.encode()).decrypt(cipher.encrypt(PLAINTEXT).encode()).decode() == PLAINTEXT


def test_rotate_reencrypts_with_newest_key_so_old_key_can_be_retired() -> None:
    old, new = SecretCipher.generate_key(), SecretCipher.generate_key()
    token = SecretCipher([old]).encrypt(PLAINTEXT)
    rotated = SecretCipher([new, old]).rotate(token)
    assert SecretCipher([new]).decrypt(rotated) == PLAINTEXT
    with pytest.raises(SecretDecryptError):
        SecretCipher([new]).decrypt(token)


@pytest.mark.parametrize("environ", [{}, {SECRET_KEYS_ENV: ""}, {SECRET_KEYS_ENV: " , "}])
def test_missing_keys_error_names_the_variable(environ: dict[str, str]) -> None:
    with pytest.raises(SecretKeyError, match=SECRET_KEYS_ENV):
        SecretCipher.from_env(environ)


def test_invalid_key_error_names_position_but_not_the_key() -> None:
    bad = "not-a-fernet-key-but-a-secret-looking-string"
    with pytest.raises(SecretKeyError) as caught:
        SecretCipher.from_env({SECRET_KEYS_ENV: f"{SecretCipher.generate_key()},{bad}"})
    assert "#2" in str(caught.value) and SECRET_KEYS_ENV in str(caught.value)
    assert bad not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_wrong_key_error_and_repr_never_show_plaintext_or_keys() -> None:
    key = SecretCipher.generate_key()
    cipher = SecretCipher([key])
    token = SecretCipher([SecretCipher.generate_key()]).encrypt(PLAINTEXT)
    with pytest.raises(SecretDecryptError) as caught:
        cipher.decrypt(token)
    assert PLAINTEXT not in str(caught.value) and token not in str(caught.value)
    assert key not in repr(cipher) and repr(cipher) == "SecretCipher(keys=1)"
