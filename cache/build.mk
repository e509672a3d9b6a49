# cache/: the store library and the virt-name-cache command.
$(B)/libvnc.a: $(addprefix $(B)/obj/,$(STORE_SRCS:.c=.o))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
ALL += $(B)/libvnc.a
