package dev.rollback.storage.internal;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.Block;
import com.azure.storage.blob.models.BlockList;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Block-blob uploads that can be resumed: each block is staged with its MD5 ({@code Put Block} with
 * {@code Content-MD5}, which the service checks and refuses with {@code Md5Mismatch} when the bytes
 * that arrived differ), under an id made of its index and its MD5, so a block already staged with the
 * same content is found in the blob's uncommitted block list and skipped; the block list is
 * committed with the whole file's MD5 as the blob's {@code Content-MD5}. Stateless and thread-safe.
 */
public final class BlockUploads {
    private final Blobs blobs;

    /** Over {@code blobs}. */
    public BlockUploads(Blobs blobs) {
        this.blobs = blobs;
    }

    /**
     * The id of block {@code index} holding content with {@code md5}: Base64 of
     * {@code rb-<6-digit index>-<md5 hex>} (every id of a blob must have the same length).
     */
    public static String blockId(int index, byte[] md5) {
        String raw = String.format(Locale.ROOT, "rb-%06d-%s", index, Md5.hex(md5));
        return Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.US_ASCII));
    }

    private BlockBlobClient blob(String container, String name) {
        return blobs.container(container).getBlobClient(name).getBlockBlobClient();
    }

    /** The blocks staged and not committed yet (id to size); empty when the blob has none or does not exist. */
    public Map<String, Long> uncommitted(String container, String name, Duration timeout) {
        try {
            BlockList list = blob(container, name)
                    .listBlocksWithResponse(BlockListType.UNCOMMITTED, null, Blobs.positive(timeout), Context.NONE)
                    .getValue();
            Map<String, Long> blocks = new HashMap<>();
            if (list.getUncommittedBlocks() != null) {
                for (Block b : list.getUncommittedBlocks()) {
                    blocks.put(b.getName(), b.getSizeLong());
                }
            }
            return blocks;
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return Map.of();
            }
            throw AzureErrors.map("listing the staged blocks of blob " + name + " of " + container, e);
        } catch (RuntimeException e) {
            throw AzureErrors.map("listing the staged blocks of blob " + name + " of " + container, e);
        }
    }

    /** Stages one block with its MD5, which the service checks. */
    public void stage(
            String container, String name, String blockId, byte[] data, int length, byte[] md5, Duration timeout) {
        try {
            blob(container, name)
                    .stageBlockWithResponse(
                            new BlockBlobStageBlockOptions(blockId, BinaryData.fromBytes(slice(data, length)))
                                    .setContentMd5(md5),
                            Blobs.positive(timeout),
                            Context.NONE);
        } catch (RuntimeException e) {
            throw AzureErrors.map("staging block " + blockId + " of blob " + name + " of " + container, e);
        }
    }

    private static byte[] slice(byte[] data, int length) {
        if (length == data.length) {
            return data;
        }
        byte[] copy = new byte[length];
        System.arraycopy(data, 0, copy, 0, length);
        return copy;
    }

    /**
     * Commits {@code blockIds} as the blob's content with {@code md5} as its {@code Content-MD5},
     * only if the blob does not exist yet ({@code If-None-Match: *}).
     *
     * @return false when a blob of that name exists already (nothing was committed)
     */
    public boolean commitNew(
            String container,
            String name,
            List<String> blockIds,
            byte[] md5,
            Map<String, String> metadata,
            Duration timeout) {
        try {
            blob(container, name)
                    .commitBlockListWithResponse(
                            new BlockBlobCommitBlockListOptions(blockIds)
                                    .setHeaders(new BlobHttpHeaders()
                                            .setContentType("application/octet-stream")
                                            .setContentMd5(md5))
                                    .setMetadata(metadata)
                                    .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")),
                            Blobs.positive(timeout),
                            Context.NONE);
            return true;
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 412 || e.getStatusCode() == 409) {
                return false;
            }
            throw AzureErrors.map("committing blob " + name + " of " + container, e);
        } catch (RuntimeException e) {
            throw AzureErrors.map("committing blob " + name + " of " + container, e);
        }
    }

    /** Uploads a small blob (the manifest) in one request, with its MD5, unless it exists. */
    public boolean putNew(String container, String name, byte[] content, Duration timeout) {
        byte[] md5 = Md5.newDigest().digest(content);
        String id = blockId(0, md5);
        stage(container, name, id, content, content.length, md5, timeout);
        return commitNew(container, name, List.of(id), md5, Map.of(), timeout);
    }
}
