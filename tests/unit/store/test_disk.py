from __future__ import annotations

import errno

import pytest

from voicesmith.errors import StorageFullError
from voicesmith.store.disk import full_disk_as_domain_error


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EFBIG])
def test_a_full_disk_or_quota_becomes_storage_full(code: int) -> None:
    with pytest.raises(StorageFullError) as caught, full_disk_as_domain_error("the audio"):
        raise OSError(code, "full")
    assert "the audio could not be written" in caught.value.detail
    assert isinstance(caught.value.__cause__, OSError)


def test_other_os_errors_pass_through() -> None:
    with pytest.raises(PermissionError), full_disk_as_domain_error("the audio"):
        raise PermissionError(errno.EACCES, "denied")
