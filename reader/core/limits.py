"""Size caps on input, shared by the readers of files, streams and the network."""

MAX_FILE_BYTES = 50 * 2**20  # one file, or standard input
# a feed of 100,000 entries is a mistake or an attack; its newest entries are what matters
MAX_FEED_ENTRIES = 5000
