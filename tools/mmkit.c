/* STUB: the mmkit command, being written. */
int main(void) { return 0; }
