from django.dispatch import Signal

# Sent once after an import renamed customers with bulk writes (which send no post_save), with
# `customer_ids`: what keeps a customer's name elsewhere (the stories' search vectors) catches up.
customers_renamed = Signal()
