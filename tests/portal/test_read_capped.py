from django.core.files.uploadedfile import SimpleUploadedFile

from portal.lib.uploads import read_capped


def test_it_reads_one_byte_past_the_limit_and_no_more(settings):
    settings.LIFELINE_IMPORT_MAX_BYTES = 100
    upload = SimpleUploadedFile("big.csv", b"x" * 10_000)
    assert len(read_capped(upload)) == 101
    assert read_capped(SimpleUploadedFile("small.csv", b"a,b\n")) == b"a,b\n"
