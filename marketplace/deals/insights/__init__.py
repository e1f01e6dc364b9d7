"""What a listing offers and how it performs: availability of its assets, per-listing statistics."""
