"""The lab's certificate authority on disk: who may read its files, when it is kept and when it
is made again, and a data folder that cannot hold it. Real files, real certificates (trustme,
cryptography), a real lab without TLS; nothing mocked."""

from __future__ import annotations

import datetime
import json
import stat
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.exceptions import InvalidSignature

from tutor.experiments.runner import run
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.authority import LAB_NAMES, Authority, AuthorityError, local_authority
from tutor.lab.evidence import VerdictKind
from tutor.lab.server import LabServer
from tutor.session.lab import LabSession

FILES = ("ca.pem", "ca-key.pem", "lab.pem", "lab-key.pem")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def _certificate(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _names(certificate: x509.Certificate) -> set[str]:
    alt = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(ip) for ip in alt.get_values_for_type(x509.IPAddress)} | set(
        alt.get_values_for_type(x509.DNSName)
    )


def _issued_by_its_ca(authority: Authority) -> bool:
    try:
        _certificate(authority.cert).verify_directly_issued_by(_certificate(authority.ca))
    except (InvalidSignature, ValueError):  # ValueError: issued by another name
        return False
    return True


def _ca_of(folder: Path) -> trustme.CA:
    return trustme.CA.from_pem(
        (folder / "ca.pem").read_bytes(), (folder / "ca-key.pem").read_bytes()
    )


def _put_leaf(folder: Path, leaf: trustme.LeafCert) -> None:
    """`leaf` as the lab's certificate and key, as a tutor of its own would have written it."""
    (folder / "lab-key.pem").write_bytes(leaf.private_key_pem.bytes())
    (folder / "lab.pem").write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data" / "tls"


def test_only_the_user_can_read_the_keys(folder: Path) -> None:
    authority = local_authority(folder)
    assert _mode(folder) == 0o700
    assert _mode(folder / "ca-key.pem") == 0o600
    assert _mode(authority.key) == 0o600
    assert authority.key == folder / "lab-key.pem"
    # What clients are handed may be read by anyone: certificates hold no secret.
    assert _mode(authority.ca) == _mode(authority.cert) == 0o644


def test_a_folder_made_open_by_hand_is_closed_again(folder: Path) -> None:
    folder.mkdir(parents=True, mode=0o755)
    folder.chmod(0o755)
    local_authority(folder)
    assert _mode(folder) == 0o700


def test_the_lab_certificate_names_the_lab_and_is_issued_by_the_ca(folder: Path) -> None:
    authority = local_authority(folder)
    assert _names(_certificate(authority.cert)) == set(LAB_NAMES)
    assert _issued_by_its_ca(authority)


def test_a_second_start_keeps_the_ca_and_the_current_certificate(folder: Path) -> None:
    first = local_authority(folder)
    kept = _bytes(folder)
    second = local_authority(folder)
    assert second == first
    assert _bytes(folder) == kept


def test_a_certificate_that_lacks_a_name_is_issued_again_by_the_same_ca(folder: Path) -> None:
    local_authority(folder)
    before = _bytes(folder)
    wanted = (*LAB_NAMES, "192.0.2.7")  # a teacher's lab, reached at a classroom address
    authority = local_authority(folder, wanted)
    after = _bytes(folder)
    assert (after["ca.pem"], after["ca-key.pem"]) == (before["ca.pem"], before["ca-key.pem"])
    assert after["lab.pem"] != before["lab.pem"]
    assert after["lab-key.pem"] != before["lab-key.pem"]
    assert _names(_certificate(authority.cert)) == set(wanted)
    assert _issued_by_its_ca(authority)


@pytest.mark.parametrize("days_left", [10, -1], ids=["near-its-end", "expired"])
@pytest.mark.parametrize("described", [True, False], ids=["lab.json", "no-lab.json"])
def test_a_certificate_near_its_end_is_issued_again(
    folder: Path, days_left: int, described: bool
) -> None:
    """As a year has passed: the certificate and lab.json say it ends soon (or an older tutor
    left no lab.json)."""
    local_authority(folder)
    now = datetime.datetime.now(datetime.UTC)
    ends = now + datetime.timedelta(days=days_left)
    leaf = _ca_of(folder).issue_cert(
        *LAB_NAMES, not_before=now - datetime.timedelta(days=390), not_after=ends
    )
    _put_leaf(folder, leaf)
    issued = folder / "lab.json"
    if described:
        issued.write_text(
            json.dumps({**json.loads(issued.read_text()), "not_after": ends.isoformat()})
        )
    else:
        issued.unlink()
    ca = (folder / "ca.pem").read_bytes()
    authority = local_authority(folder)
    assert _certificate(authority.cert).not_valid_after_utc - now > datetime.timedelta(days=390)
    assert (folder / "ca.pem").read_bytes() == ca
    assert _issued_by_its_ca(authority)


def _garbage(folder: Path, name: str) -> None:
    (folder / name).write_bytes(b"-----BEGIN CERTIFICATE-----\nnot base64 at all\n")


def _truncated(folder: Path, name: str) -> None:
    path = folder / name
    path.write_bytes(path.read_bytes()[:100])


def _another_cas_key(folder: Path, name: str) -> None:
    (folder / name).write_bytes(trustme.CA().private_key_pem.bytes())


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("ca.pem", _garbage),
        ("ca.pem", _truncated),
        ("ca-key.pem", _garbage),
        ("ca-key.pem", _truncated),
        ("ca-key.pem", _another_cas_key),
    ],
)
def test_a_damaged_ca_is_made_again_with_a_new_certificate(folder: Path, name, damage) -> None:
    local_authority(folder)
    before = _bytes(folder)
    damage(folder, name)
    authority = local_authority(folder)
    after = _bytes(folder)
    assert all(after[file] != before[file] for file in FILES), "a new CA and a new certificate"
    assert _issued_by_its_ca(authority)
    assert _mode(folder / "ca-key.pem") == _mode(authority.key) == 0o600
    authority.server_context()  # the lab can present it


def test_a_certificate_left_from_a_ca_that_is_gone_is_issued_again(folder: Path) -> None:
    """A CA replaced while its lab certificate stayed (a start cut short between the two, or
    files copied by hand): the certificate is issued again by the CA that is there now."""
    local_authority(folder)
    other = trustme.CA()
    (folder / "ca-key.pem").write_bytes(other.private_key_pem.bytes())
    (folder / "ca.pem").write_bytes(other.cert_pem.bytes())
    authority = local_authority(folder)
    assert (folder / "ca.pem").read_bytes() == other.cert_pem.bytes()
    assert _issued_by_its_ca(authority)


@pytest.mark.parametrize("name", ["lab.pem", "lab-key.pem"])
def test_a_damaged_lab_certificate_is_issued_again_by_the_same_ca(folder: Path, name) -> None:
    local_authority(folder)
    ca = (folder / "ca.pem").read_bytes()
    _garbage(folder, name)
    authority = local_authority(folder)
    assert (folder / "ca.pem").read_bytes() == ca
    assert _issued_by_its_ca(authority)
    authority.server_context()


def _unusable_folders(tmp_path: Path) -> list[Path]:
    """Folders no mkdir or open can write in, even as root (where mode bits stop nothing): one
    under a regular file, one in /proc."""
    regular = tmp_path / "a-file"
    regular.write_text("not a folder\n")
    return [regular / "tls", Path("/proc/self")]


def test_a_folder_that_cannot_hold_the_ca_is_an_error_in_a_sentence(tmp_path: Path) -> None:
    under_a_file, in_proc = _unusable_folders(tmp_path)
    with pytest.raises(AuthorityError) as caught:
        local_authority(under_a_file)
    assert str(caught.value) == (
        f"The lab's certificate authority cannot be kept in {under_a_file}: Not a directory"
    )
    with pytest.raises(AuthorityError) as caught:
        local_authority(in_proc)
    said = str(caught.value)
    assert said.startswith(f"The lab's certificate authority cannot be kept in {in_proc}: ")
    assert "Errno" not in said and "\n" not in said


UPGRADE = ExperimentSpec(code=301, client="httpx", scheme="upgrade", body="a=1")
PLAIN = ExperimentSpec(code=301, client="httpx", body="a=1")


def test_without_its_files_a_lab_starts_with_no_tls_and_an_upgrade_says_why() -> None:
    missing = Path("/proc/self/no-such-ca")
    with LabServer(
        authority=Authority(missing / "ca.pem", missing / "lab.pem", missing / "k")
    ) as lab:
        assert lab.url and lab.other_url and lab.secure_url == ""
        problem = lab.tls.problem
        assert problem is not None
        assert problem.startswith("The lab's certificate cannot be read: ")
        assert lab.tls.url == "" and lab.tls.ca is None
        outcome = run(UPGRADE, lab.url, lab.journal, tls=lab.tls)
    assert outcome.verdict.kind is VerdictKind.UNAVAILABLE
    assert outcome.verdict.text == "the lab has no TLS listener"
    assert outcome.error == problem
    assert outcome.hops == ()


def test_a_tutor_whose_data_folder_cannot_hold_a_ca_still_runs_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The learner's own lab, as the session starts it, with a data folder under a file: plain
    experiments run, an upgrade is 'unavailable' with a sentence, nothing raises."""
    regular = tmp_path / "a-file"
    regular.write_text("not a folder\n")
    monkeypatch.setenv("REDIRECT_TUTOR_HOME", str(regular / "home"))
    session = LabSession()
    try:
        lab = session.start()
        assert isinstance(lab, LabServer) and lab.secure_url == ""
        plain, upgrade = session.run_many([PLAIN, UPGRADE])
    finally:
        session.stop()
    assert plain.verdict.kind is VerdictKind.METHOD_CHANGED
    assert upgrade.verdict.kind is VerdictKind.UNAVAILABLE
    assert (
        upgrade.error
        == lab.tls.problem
        == (
            f"The lab's certificate authority cannot be kept in {regular / 'home' / 'tls'}: "
            "Not a directory"
        )
    )
